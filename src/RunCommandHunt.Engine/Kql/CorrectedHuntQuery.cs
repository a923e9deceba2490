using System;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Correlation;

namespace RunCommandHunt.Engine.Kql
{
    /// <summary>
    /// The corrected hunt as one KQL query, for a SOC to deploy in Sentinel: every Run Command kind, both status
    /// vocabularies, the script joined to its operation by machine (case-insensitive, FQDN or not), file and time, and the
    /// run joined to its script by device, file name and time, never by file name alone. It follows the engine's
    /// default behaviour (src/RunCommandHunt.Engine/Correlation/DefaultCorrelator.cs); it has not been run against a
    /// live workspace here (no network), so treat differences from the module as bugs in this text.
    /// </summary>
    public static class CorrectedHuntQuery
    {
        /// <summary>The query over the last <paramref name="lookback"/> (the rule's P1D by default).</summary>
        public static string Build(TimeSpan? lookback = null, bool uniqueOnly = true)
        {
            var period = KqlLiteral.TimeSpan(lookback ?? TimeSpan.FromDays(1));
            var ops = string.Join(", ", RunCommandKinds.OperationNames.Select(n => KqlLiteral.String(n)));
            var sb = new StringBuilder();
            sb.Append("// RunCommandHunt: Azure Run Command operations linked to the script each wrote and the commands it ran.\n");
            sb.Append("// Corrected version of Sentinel hunting query 55fbc363 / analytic rule 5239248b: every Run Command kind\n");
            sb.Append("// (action, managed, scale-set instances, Arc), Succeeded and Success, machine + file + time joins.\n");
            sb.Append("let lookback = ").Append(period).Append(";\n");
            sb.Append("let RunCommandOperationNames = dynamic([").Append(ops).Append("]);\n");
            sb.Append(@"let RunCommandOperations = AzureActivity
| where TimeGenerated > ago(lookback)
| where OperationNameValue in~ (RunCommandOperationNames)
| extend Scope = tostring(parse_json(Authorization).scope)
| extend Scope = iff(isempty(Scope), tostring(_ResourceId), Scope)
// One operation is one CorrelationId: its events may differ in Authorization detail and carry the IP on one event only.
| summarize StartTime = min(TimeGenerated), EndTime = max(TimeGenerated), ActivityStatusValues = make_list(ActivityStatusValue),
    Caller = take_anyif(Caller, isnotempty(Caller)), CallerIpAddress = take_anyif(CallerIpAddress, isnotempty(CallerIpAddress)),
    Scope = take_anyif(Scope, isnotempty(Scope)), OperationNameValue = take_any(OperationNameValue) by CorrelationId
| where ActivityStatusValues has_any (""Succeeded"", ""Success"")
| extend Subscription = extract(@""(?i)/subscriptions/([^/]+)"", 1, Scope),
    ScaleSet = extract(@""(?i)/virtualMachineScaleSets/([^/]+)"", 1, Scope),
    Machine = extract(@""(?i)/(?:virtualMachines|machines)/([^/]+)"", 1, Scope)
| extend VirtualMachineName = iff(isnotempty(ScaleSet), strcat(ScaleSet, ""_"", Machine), Machine)
// MDE reports the host name, often lower-case and fully qualified; a scale-set instance as prefix + base-36 instance id.
| extend MachineKey = tolower(iff(isnotempty(ScaleSet), ScaleSet, Machine))
| project StartTime, EndTime, CorrelationId, Caller, CallerIpAddress, Scope, Subscription, VirtualMachineName, MachineKey,
    IsScaleSet = isnotempty(ScaleSet), OperationNameValue;
let ScriptWrites = DeviceFileEvents
| where TimeGenerated > ago(lookback)
| where InitiatingProcessFileName contains ""runcommand"" or InitiatingProcessFileName contains ""run-command""
    or FolderPath contains ""Microsoft.CPlat.Core.RunCommand"" or FolderPath contains ""/waagent/run-command""
| where FileName endswith "".ps1"" or FileName endswith "".sh"" or FileName endswith "".cmd"" or FileName endswith "".bat""
| extend Host = tolower(tostring(split(DeviceName, ""."")[0]))
| project PowershellFileCreatedTimestamp = TimeGenerated, DeviceId, DeviceName, Host, FileName, FolderPath, FileSize, SHA256;
let LinkedScripts = RunCommandOperations
| join kind=inner (ScriptWrites) on $left.MachineKey == $right.Host
| union (RunCommandOperations | where IsScaleSet
    | join kind=inner (ScriptWrites | extend Host = substring(Host, 0, strlen(Host) - 6)) on $left.MachineKey == $right.Host)
| where PowershellFileCreatedTimestamp between (StartTime .. EndTime)
// Create and modify events of one file are one execution.
| summarize arg_min(PowershellFileCreatedTimestamp, *) by CorrelationId, DeviceId, FileName, FolderPath;
let PowerShellRuns = DeviceEvents
| where TimeGenerated > ago(lookback)
| where InitiatingProcessCommandLine has ""-File""
| extend FileArgument = extract(@""(?i)-File\s+(?:""""([^""""]+)""""|'([^']+)'|(\S+))"", 0, InitiatingProcessCommandLine)
| extend ScriptPath = trim(""[\""' ]"", replace_regex(FileArgument, @""(?i)^-File\s+"", """"))
| extend RunFileName = tostring(split(replace_string(ScriptPath, ""\\"", ""/""), ""/"")[-1])
| where isnotempty(RunFileName)
| project RunTime = TimeGenerated, DeviceId, RunFileName, ActionType, InitiatingProcessCommandLine,
    Command = tostring(parse_json(AdditionalFields).Command);
let Runs = LinkedScripts
| join kind=inner (PowerShellRuns) on DeviceId, $left.FileName == $right.RunFileName
| where RunTime >= PowershellFileCreatedTimestamp
// A run belongs to the latest write of that script name on that device before it.
| summarize arg_max(PowershellFileCreatedTimestamp, *) by DeviceId, RunTime, InitiatingProcessCommandLine, Command
| order by RunTime asc
| summarize PowershellExecStart = min(RunTime), PowershellExecEnd = max(RunTime),
    PowershellScriptCommands = make_list_if(Command, ActionType =~ ""PowerShellCommand"" and isnotempty(Command) and Command !~ FileName),
    InitiatingProcessCommandLine = take_any(InitiatingProcessCommandLine)
    by CorrelationId, DeviceId, DeviceName, FileName, FolderPath, PowershellFileCreatedTimestamp, FileSize,
       StartTime, EndTime, Caller, CallerIpAddress, Scope, Subscription, VirtualMachineName, OperationNameValue;
let ShellRuns = LinkedScripts
| where FileName endswith "".sh""
| join kind=inner (DeviceProcessEvents | where TimeGenerated > ago(lookback)
    | project ProcessTime = TimeGenerated, DeviceId, ProcessCommandLine, InitiatingProcessCommandLine) on DeviceId
| where ProcessTime >= PowershellFileCreatedTimestamp and InitiatingProcessCommandLine contains FolderPath
| order by ProcessTime asc
| summarize PowershellExecStart = min(ProcessTime), PowershellExecEnd = max(ProcessTime), PowershellScriptCommands = make_list(ProcessCommandLine),
    InitiatingProcessCommandLine = take_any(InitiatingProcessCommandLine)
    by CorrelationId, DeviceId, DeviceName, FileName, FolderPath, PowershellFileCreatedTimestamp, FileSize,
       StartTime, EndTime, Caller, CallerIpAddress, Scope, Subscription, VirtualMachineName, OperationNameValue;
let RunCommandData = union Runs, ShellRuns
// Sentinel's fingerprint: the commands upper-cased and sorted, duplicates kept.
| mv-apply c = PowershellScriptCommands to typeof(string) on (
    extend u = toupper(c) | order by u asc | summarize Normalized = make_list(u))
| extend ScriptFingerprintHash = hash_sha256(tostring(Normalized))
| project StartTime, EndTime, PowershellFileCreatedTimestamp, PowershellExecStart, PowershellExecEnd, PowershellFileName = FileName,
    PowershellScriptCommands, Caller, CallerIpAddress, InitiatingProcessCommandLine, PowershellFileSize = FileSize, VirtualMachineName,
    DeviceName, Scope, Subscription, CorrelationId, OperationNameValue, ScriptFingerprintHash;
");
            if (!uniqueOnly)
            {
                sb.Append("RunCommandData\n| order by StartTime asc\n");
                return sb.ToString();
            }
            sb.Append(@"let totals = toscalar(RunCommandData | summarize count());
RunCommandData
| join kind=inner (RunCommandData | summarize HashCount = count() by ScriptFingerprintHash) on ScriptFingerprintHash
| extend Prevalence = toreal(HashCount) / toreal(totals) * 100
| where HashCount == 1
| extend timestamp = StartTime, CallerName = tostring(split(Caller, ""@"")[0]), CallerUPNSuffix = tostring(split(Caller, ""@"")[1])
| project timestamp, StartTime, EndTime, PowershellFileName, VirtualMachineName, DeviceName, Caller, CallerName, CallerUPNSuffix,
    CallerIpAddress, PowershellScriptCommands, PowershellFileSize, ScriptFingerprintHash, Prevalence, Scope, CorrelationId
");
            return sb.ToString();
        }
    }
}
