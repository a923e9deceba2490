namespace RunCommandHunt.Engine.Readers
{
    /// <summary>The evidence tables the hunt reads, named as in Sentinel.</summary>
    public enum EvidenceTable
    {
        Unknown = 0,
        AzureActivity,
        DeviceFileEvents,
        DeviceEvents,
        DeviceProcessEvents,
    }
}
