namespace RunCommandHunt
{
    /// <summary>The Azure cloud a live query goes to (authority, Log Analytics and Graph endpoints).</summary>
    public enum AzureEnvironment
    {
        AzurePublic = 0,
        AzureUSGovernment = 1,
        AzureChina = 2,
    }

    /// <summary>Where the MDE device tables come from.</summary>
    public enum DeviceEvidenceSource
    {
        /// <summary>A Log Analytics (Sentinel) workspace: -WorkspaceId.</summary>
        LogAnalytics = 0,
        /// <summary>Defender XDR advanced hunting through Microsoft Graph runHuntingQuery (30 days of data).</summary>
        DefenderXdr = 1,
    }
}
