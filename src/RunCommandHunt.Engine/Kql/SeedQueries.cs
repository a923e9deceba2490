namespace RunCommandHunt.Engine.Kql
{
    /// <summary>The two Sentinel queries this module reproduces, verbatim. They are the spec: the server-side mode runs
    /// them as written, and Get-RunCommandHuntQuery prints them. Do not reformat: trailing spaces are part of the text.</summary>
    public static class SeedQueries
    {
        /// <summary>Rule id of hunting query AzureRunCommandMDELinked ("Azure VM Run Command linked with MDE").</summary>
        public const string HuntingQueryId = "55fbc363-6cc9-4201-bd68-d980b612082b";

        /// <summary>Rule id of analytic rule "Azure VM Run Command operations executing a unique PowerShell script".</summary>
        public const string AnalyticRuleId = "5239248b-abfb-4c6a-8177-b104ade5db56";

        /// <summary>Template version whose ARM "query" string <see cref="AnalyticRule"/> holds.</summary>
        public const string AnalyticRuleTemplateVersion = "1.0.8";

        /// <summary>Seed 000: the hunting query text (Azure-Sentinel Hunting Queries/MultipleDataSources/AzureRunCommandMDELinked.yaml).</summary>
        public const string HuntingQuery =
            "AzureActivity\n" +
            "// Isolate run command actions\n" +
            "| where OperationNameValue == \"Microsoft.Compute/virtualMachines/runCommand/action\"\n" +
            "// Confirm that the operation impacted a virtual machine\n" +
            "| where Authorization has \"virtualMachines\"\n" +
            "// Each runcommand operation consists of three events when successful, Started, Accepted (or Rejected), Successful (or Failed).\n" +
            "| summarize StartTime=min(TimeGenerated), EndTime=max(TimeGenerated), max(CallerIpAddress), make_list(ActivityStatusValue) by CorrelationId, Authorization, Caller\n" +
            "// Limit to Run Command executions that Succeeded\n" +
            "| where list_ActivityStatusValue has \"Succeeded\"\n" +
            "// Extract data from the Authorization field, allowing us to later extract the Caller (UPN) and CallerIpAddress\n" +
            "| extend Authorization_d = parse_json(Authorization)\n" +
            "| extend Scope = Authorization_d.scope\n" +
            "| extend Scope_s = split(Scope, \"/\")\n" +
            "| extend Subscription = tostring(Scope_s[2])\n" +
            "| extend VirtualMachineName = tostring(Scope_s[-1])\n" +
            "| project StartTime, EndTime, Subscription, VirtualMachineName, CorrelationId, Caller, CallerIpAddress=max_CallerIpAddress\n" +
            "| join kind=leftouter (\n" +
            "    DeviceFileEvents\n" +
            "    | where InitiatingProcessFileName == \"RunCommandExtension.exe\"\n" +
            "    | extend VirtualMachineName = tostring(split(DeviceName, \".\")[0])\n" +
            "    | project VirtualMachineName, PowershellFileCreatedTimestamp=TimeGenerated, FileName, FileSize, InitiatingProcessAccountName, InitiatingProcessAccountDomain, InitiatingProcessFolderPath, InitiatingProcessId\n" +
            ") on VirtualMachineName\n" +
            "// We need to filter by time sadly, this is the only way to link events\n" +
            "| where PowershellFileCreatedTimestamp between (StartTime .. EndTime)\n" +
            "| project StartTime, EndTime, PowershellFileCreatedTimestamp, VirtualMachineName, Caller, CallerIpAddress, FileName, FileSize, InitiatingProcessId, InitiatingProcessAccountDomain, InitiatingProcessFolderPath\n" +
            "| join kind=inner(\n" +
            "    DeviceEvents\n" +
            "    | extend VirtualMachineName = tostring(split(DeviceName, \".\")[0])\n" +
            "    | where InitiatingProcessCommandLine has \"-File\"\n" +
            "    | extend PowershellFileName = extract(@\"\\-File\\s(script[0-9]{1,9}\\.ps1)\", 1, InitiatingProcessCommandLine)\n" +
            "    | extend PSCommand = tostring(parse_json(AdditionalFields).Command)\n" +
            "    | order by TimeGenerated asc \n" +
            "    | where PSCommand != PowershellFileName \n" +
            "    | summarize PowershellExecStart=min(TimeGenerated), PowershellExecEnd=max(TimeGenerated), make_list(PSCommand) by PowershellFileName, InitiatingProcessCommandLine\n" +
            ") on $left.FileName == $right.PowershellFileName\n" +
            "| project StartTime, EndTime, PowershellFileCreatedTimestamp, PowershellExecStart, PowershellExecEnd, PowershellFileName, PowershellScriptCommands=list_PSCommand, Caller, CallerIpAddress, InitiatingProcessCommandLine, PowershellFileSize=FileSize, VirtualMachineName\n" +
            "| order by StartTime asc \n" +
            "| extend ScriptFingerprintHash = hash_sha256(tostring(PowershellScriptCommands))";

        /// <summary>Seed 003: the analytic rule's ARM template "query" string (templateVersion 1.0.8), decoded from JSON.
        /// It ends with a newline, as the template does.</summary>
        public const string AnalyticRule =
            "let RunCommandData = materialize ( AzureActivity\n" +
            "// Isolate run command actions\n" +
            "| where OperationNameValue =~ \"Microsoft.Compute/virtualMachines/runCommand/action\"\n" +
            "// Confirm that the operation impacted a virtual machine\n" +
            "| where Authorization has \"virtualMachines\"\n" +
            "// Each runcommand operation consists of three events when successful, StartTimeed, Accepted (or Rejected), Successful (or Failed).\n" +
            "| summarize StartTime=min(TimeGenerated), EndTime=max(TimeGenerated), max(CallerIpAddress), make_list(ActivityStatusValue) by CorrelationId, Authorization, Caller\n" +
            "// Limit to Run Command executions that Succeeded\n" +
            "| where list_ActivityStatusValue has_any (\"Succeeded\", \"Success\")\n" +
            "// Extract data from the Authorization field, allowing us to later extract the Caller (UPN) and CallerIpAddress\n" +
            "| extend Authorization_d = parse_json(Authorization)\n" +
            "| extend Scope = Authorization_d.scope\n" +
            "| extend Scope_s = split(Scope, \"/\")\n" +
            "| extend Subscription = tostring(Scope_s[2])\n" +
            "| extend VirtualMachineName = tostring(Scope_s[-1])\n" +
            "| project StartTime, EndTime, Subscription, VirtualMachineName, CorrelationId, Caller, CallerIpAddress=max_CallerIpAddress, Scope\n" +
            "| join kind=leftouter (\n" +
            "    DeviceFileEvents\n" +
            "    | where InitiatingProcessFileName == \"RunCommandExtension.exe\"\n" +
            "    | extend VirtualMachineName = tostring(split(DeviceName, \".\")[0])\n" +
            "    | project VirtualMachineName, PowershellFileCreatedTimestamp=TimeGenerated, FileName, FileSize, InitiatingProcessAccountName, InitiatingProcessAccountDomain, InitiatingProcessFolderPath, InitiatingProcessId\n" +
            ") on VirtualMachineName\n" +
            "// We need to filter by time sadly, this is the only way to link events\n" +
            "| where PowershellFileCreatedTimestamp between (StartTime .. EndTime)\n" +
            "| project StartTime, EndTime, PowershellFileCreatedTimestamp, VirtualMachineName, Caller, CallerIpAddress, FileName, FileSize, InitiatingProcessId, InitiatingProcessAccountDomain, InitiatingProcessFolderPath, Scope\n" +
            "| join kind=inner(\n" +
            "    DeviceEvents\n" +
            "    | extend VirtualMachineName = tostring(split(DeviceName, \".\")[0])\n" +
            "    | where InitiatingProcessCommandLine has \"-File\"\n" +
            "    // Extract the script name based on the structure used by the RunCommand extension\n" +
            "    | extend PowershellFileName = extract(@\"\\-File\\s(script[0-9]{1,9}\\.ps1)\", 1, InitiatingProcessCommandLine)\n" +
            "    // Discard results that didn't successfully extract, these are not run command related\n" +
            "    | where isnotempty(PowershellFileName)\n" +
            "    | extend PSCommand = tostring(parse_json(AdditionalFields).Command)\n" +
            "    // The first execution of PowerShell will be the RunCommand script itself, we can discard this as it will break our hash later\n" +
            "    | where PSCommand != PowershellFileName \n" +
            "    // Now we normalise the cmdlets, we're aiming to hash them to find scripts using rare combinations\n" +
            "    | extend PSCommand = toupper(PSCommand)\n" +
            "    | order by PSCommand asc\n" +
            "    | summarize PowershellExecStartTime=min(TimeGenerated), PowershellExecEnd=max(TimeGenerated), make_list(PSCommand) by PowershellFileName, InitiatingProcessCommandLine\n" +
            ") on $left.FileName == $right.PowershellFileName\n" +
            "| project StartTime, EndTime, PowershellFileCreatedTimestamp, PowershellExecStartTime, PowershellExecEnd, PowershellFileName, PowershellScriptCommands=list_PSCommand, Caller, CallerIpAddress, InitiatingProcessCommandLine, PowershellFileSize=FileSize, VirtualMachineName, Scope\n" +
            "| order by StartTime asc \n" +
            "// We generate the hash based on the cmdlets called and the size of the powershell script\n" +
            "| extend TempFingerprintString = strcat(PowershellScriptCommands, PowershellFileSize)\n" +
            "| extend ScriptFingerprintHash = hash_sha256(tostring(PowershellScriptCommands)));\n" +
            "let totals = toscalar (RunCommandData\n" +
            "| summarize count());\n" +
            "let hashTotals = RunCommandData\n" +
            "| summarize HashCount=count() by ScriptFingerprintHash;\n" +
            "RunCommandData\n" +
            "| join kind=leftouter (\n" +
            "hashTotals\n" +
            ") on ScriptFingerprintHash\n" +
            "// Calculate prevalence, while we don't need this, it may be useful for responders to know how rare this script is in relation to normal activity\n" +
            "| extend Prevalence = toreal(HashCount) / toreal(totals) * 100\n" +
            "// Where the hash was only ever seen once.\n" +
            "| where HashCount == 1\n" +
            "| extend timestamp = StartTime\n" +
            "| extend CallerName = tostring(split(Caller, \"@\")[0]), CallerUPNSuffix = tostring(split(Caller, \"@\")[1])\n" +
            "| project timestamp, StartTime, EndTime, PowershellFileName, VirtualMachineName, Caller, CallerName, CallerUPNSuffix, CallerIpAddress, PowershellScriptCommands, PowershellFileSize, ScriptFingerprintHash, Prevalence, Scope\n";

        /// <summary>The seed text for a compatibility mode; None has no seed.</summary>
        public static string? For(CompatibilityMode mode)
        {
            switch (mode)
            {
                case CompatibilityMode.HuntingQuery: return HuntingQuery;
                case CompatibilityMode.AnalyticRule: return AnalyticRule;
                default: return null;
            }
        }
    }
}
