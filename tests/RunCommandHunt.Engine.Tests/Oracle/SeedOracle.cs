using System;
using System.Collections.Generic;
using System.Linq;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>The two seed queries translated line by line into <see cref="KqlTable"/> steps. Each step carries
    /// the KQL line it implements as a comment, so a reviewer can check the translation against the seed text.
    /// 000 = hunting query AzureRunCommandMDELinked; 003 = analytic rule 5239248b v1.0.8 (the ARM "query").</summary>
    public static class SeedOracle
    {
        public const string RunCommandOperationName = "Microsoft.Compute/virtualMachines/runCommand/action";
        public const string ScriptNamePattern = @"\-File\s(script[0-9]{1,9}\.ps1)";

        /// <summary>Seed 000, the hunting query. Returns its final table in its final order (StartTime asc).</summary>
        public static KqlTable HuntingQuery(KqlTable azureActivity, KqlTable deviceFileEvents, KqlTable deviceEvents)
        {
            var operations = HuntingQueryOperations(azureActivity);

            var t = operations
                // | join kind=leftouter ( DeviceFileEvents ... ) on VirtualMachineName
                .JoinLeftOuter(ScriptFiles(deviceFileEvents), "VirtualMachineName", "VirtualMachineName")
                // | where PowershellFileCreatedTimestamp between (StartTime .. EndTime)
                .Where(r => Kql.Between(r["PowershellFileCreatedTimestamp"], r["StartTime"], r["EndTime"]))
                // | project StartTime, EndTime, PowershellFileCreatedTimestamp, VirtualMachineName, Caller, CallerIpAddress,
                //   FileName, FileSize, InitiatingProcessId, InitiatingProcessAccountDomain, InitiatingProcessFolderPath
                .Project("StartTime", "EndTime", "PowershellFileCreatedTimestamp", "VirtualMachineName", "Caller", "CallerIpAddress",
                    "FileName", "FileSize", "InitiatingProcessId", "InitiatingProcessAccountDomain", "InitiatingProcessFolderPath");

            var powershell = deviceEvents
                // | extend VirtualMachineName = tostring(split(DeviceName, ".")[0])
                .Extend("VirtualMachineName", r => Kql.ToStr(Kql.At(Kql.Split(r["DeviceName"], "."), 0)))
                // | where InitiatingProcessCommandLine has "-File"
                .Where(r => Kql.Has(r["InitiatingProcessCommandLine"], "-File"))
                // | extend PowershellFileName = extract(@"\-File\s(script[0-9]{1,9}\.ps1)", 1, InitiatingProcessCommandLine)
                .Extend("PowershellFileName", r => Kql.Extract(ScriptNamePattern, 1, r["InitiatingProcessCommandLine"]))
                // | extend PSCommand = tostring(parse_json(AdditionalFields).Command)
                .Extend("PSCommand", r => Kql.ToStr(Kql.Member(Kql.ParseJson(r["AdditionalFields"]), "Command")))
                // | order by TimeGenerated asc
                .OrderByAscending("TimeGenerated")
                // | where PSCommand != PowershellFileName
                .Where(r => Kql.NotEqual(r["PSCommand"], r["PowershellFileName"]))
                // | summarize PowershellExecStart=min(TimeGenerated), PowershellExecEnd=max(TimeGenerated), make_list(PSCommand)
                //   by PowershellFileName, InitiatingProcessCommandLine
                .Summarize(new[] { "PowershellFileName", "InitiatingProcessCommandLine" },
                    ("PowershellExecStart", Kql.Min("TimeGenerated")),
                    ("PowershellExecEnd", Kql.Max("TimeGenerated")),
                    ("list_PSCommand", Kql.MakeList("PSCommand")));

            return t
                // | join kind=inner( DeviceEvents ... ) on $left.FileName == $right.PowershellFileName
                .JoinInner(powershell, "FileName", "PowershellFileName")
                // | project StartTime, EndTime, PowershellFileCreatedTimestamp, PowershellExecStart, PowershellExecEnd, PowershellFileName,
                //   PowershellScriptCommands=list_PSCommand, Caller, CallerIpAddress, InitiatingProcessCommandLine,
                //   PowershellFileSize=FileSize, VirtualMachineName
                .Project(Col("StartTime"), Col("EndTime"), Col("PowershellFileCreatedTimestamp"), Col("PowershellExecStart"),
                    Col("PowershellExecEnd"), Col("PowershellFileName"), ("PowershellScriptCommands", r => r["list_PSCommand"]),
                    Col("Caller"), Col("CallerIpAddress"), Col("InitiatingProcessCommandLine"), ("PowershellFileSize", r => r["FileSize"]),
                    Col("VirtualMachineName"))
                // | order by StartTime asc
                .OrderByAscending("StartTime")
                // | extend ScriptFingerprintHash = hash_sha256(tostring(PowershellScriptCommands))
                .Extend("ScriptFingerprintHash", r => Kql.HashSha256(Kql.ToStr(r["PowershellScriptCommands"])));
        }

        /// <summary>Seed 000 up to its first project: the run command operations it keeps.</summary>
        public static KqlTable HuntingQueryOperations(KqlTable azureActivity)
        {
            return azureActivity
                // | where OperationNameValue == "Microsoft.Compute/virtualMachines/runCommand/action"
                .Where(r => Kql.Equal(r["OperationNameValue"], RunCommandOperationName))
                // | where Authorization has "virtualMachines"
                .Where(r => Kql.Has(r["Authorization"], "virtualMachines"))
                // | summarize StartTime=min(TimeGenerated), EndTime=max(TimeGenerated), max(CallerIpAddress),
                //   make_list(ActivityStatusValue) by CorrelationId, Authorization, Caller
                .Summarize(new[] { "CorrelationId", "Authorization", "Caller" },
                    ("StartTime", Kql.Min("TimeGenerated")),
                    ("EndTime", Kql.Max("TimeGenerated")),
                    ("max_CallerIpAddress", Kql.Max("CallerIpAddress")),
                    ("list_ActivityStatusValue", Kql.MakeList("ActivityStatusValue")))
                // | where list_ActivityStatusValue has "Succeeded"
                .Where(r => Kql.Has(r["list_ActivityStatusValue"], "Succeeded"))
                // | extend Authorization_d = parse_json(Authorization)
                .Extend("Authorization_d", r => Kql.ParseJson(r["Authorization"]))
                // | extend Scope = Authorization_d.scope
                .Extend("Scope", r => Kql.Member(r["Authorization_d"], "scope"))
                // | extend Scope_s = split(Scope, "/")
                .Extend("Scope_s", r => Kql.Split(r["Scope"], "/"))
                // | extend Subscription = tostring(Scope_s[2])
                .Extend("Subscription", r => Kql.ToStr(Kql.At(r["Scope_s"], 2)))
                // | extend VirtualMachineName = tostring(Scope_s[-1])
                .Extend("VirtualMachineName", r => Kql.ToStr(Kql.At(r["Scope_s"], -1)))
                // | project StartTime, EndTime, Subscription, VirtualMachineName, CorrelationId, Caller, CallerIpAddress=max_CallerIpAddress
                .Project(Col("StartTime"), Col("EndTime"), Col("Subscription"), Col("VirtualMachineName"), Col("CorrelationId"),
                    Col("Caller"), ("CallerIpAddress", r => r["max_CallerIpAddress"]));
        }

        /// <summary>Seed 003, the analytic rule. Row order of its result is undefined (its last operator is a join).</summary>
        public static KqlTable AnalyticRule(KqlTable azureActivity, KqlTable deviceFileEvents, KqlTable deviceEvents)
        {
            // let RunCommandData = materialize( ... ): computed once, the same rows reused below.
            var runCommandData = AnalyticRuleRunCommandData(azureActivity, deviceFileEvents, deviceEvents);

            // let totals = toscalar(RunCommandData | summarize count());
            var totals = runCommandData.Summarize(new string[0], ("count_", Kql.Count())).Rows[0]["count_"];

            // let hashTotals = RunCommandData | summarize HashCount=count() by ScriptFingerprintHash;
            var hashTotals = runCommandData.Summarize(new[] { "ScriptFingerprintHash" }, ("HashCount", Kql.Count()));

            return runCommandData
                // RunCommandData | join kind=leftouter (hashTotals) on ScriptFingerprintHash
                .JoinLeftOuter(hashTotals, "ScriptFingerprintHash", "ScriptFingerprintHash")
                // | extend Prevalence = toreal(HashCount) / toreal(totals) * 100
                .Extend("Prevalence", r => Kql.ToReal(r["HashCount"]) / Kql.ToReal(totals) * 100)
                // | where HashCount == 1
                .Where(r => Kql.Equal(r["HashCount"], 1L))
                // | extend timestamp = StartTime
                .Extend("timestamp", r => r["StartTime"])
                // | extend CallerName = tostring(split(Caller, "@")[0]), CallerUPNSuffix = tostring(split(Caller, "@")[1])
                .Extend("CallerName", r => Kql.ToStr(Kql.At(Kql.Split(r["Caller"], "@"), 0)))
                .Extend("CallerUPNSuffix", r => Kql.ToStr(Kql.At(Kql.Split(r["Caller"], "@"), 1)))
                // | project timestamp, StartTime, EndTime, PowershellFileName, VirtualMachineName, Caller, CallerName, CallerUPNSuffix,
                //   CallerIpAddress, PowershellScriptCommands, PowershellFileSize, ScriptFingerprintHash, Prevalence, Scope
                .Project("timestamp", "StartTime", "EndTime", "PowershellFileName", "VirtualMachineName", "Caller", "CallerName",
                    "CallerUPNSuffix", "CallerIpAddress", "PowershellScriptCommands", "PowershellFileSize", "ScriptFingerprintHash",
                    "Prevalence", "Scope");
        }

        /// <summary>Seed 003's materialized RunCommandData: every (operation, script file, PowerShell group) row.</summary>
        public static KqlTable AnalyticRuleRunCommandData(KqlTable azureActivity, KqlTable deviceFileEvents, KqlTable deviceEvents)
        {
            var operations = AnalyticRuleOperations(azureActivity);

            var t = operations
                // | join kind=leftouter ( DeviceFileEvents ... ) on VirtualMachineName
                .JoinLeftOuter(ScriptFiles(deviceFileEvents), "VirtualMachineName", "VirtualMachineName")
                // | where PowershellFileCreatedTimestamp between (StartTime .. EndTime)
                .Where(r => Kql.Between(r["PowershellFileCreatedTimestamp"], r["StartTime"], r["EndTime"]))
                // | project StartTime, EndTime, PowershellFileCreatedTimestamp, VirtualMachineName, Caller, CallerIpAddress, FileName,
                //   FileSize, InitiatingProcessId, InitiatingProcessAccountDomain, InitiatingProcessFolderPath, Scope
                .Project("StartTime", "EndTime", "PowershellFileCreatedTimestamp", "VirtualMachineName", "Caller", "CallerIpAddress",
                    "FileName", "FileSize", "InitiatingProcessId", "InitiatingProcessAccountDomain", "InitiatingProcessFolderPath", "Scope");

            var powershell = deviceEvents
                // | extend VirtualMachineName = tostring(split(DeviceName, ".")[0])
                .Extend("VirtualMachineName", r => Kql.ToStr(Kql.At(Kql.Split(r["DeviceName"], "."), 0)))
                // | where InitiatingProcessCommandLine has "-File"
                .Where(r => Kql.Has(r["InitiatingProcessCommandLine"], "-File"))
                // | extend PowershellFileName = extract(@"\-File\s(script[0-9]{1,9}\.ps1)", 1, InitiatingProcessCommandLine)
                .Extend("PowershellFileName", r => Kql.Extract(ScriptNamePattern, 1, r["InitiatingProcessCommandLine"]))
                // | where isnotempty(PowershellFileName)
                .Where(r => Kql.IsNotEmpty(r["PowershellFileName"]))
                // | extend PSCommand = tostring(parse_json(AdditionalFields).Command)
                .Extend("PSCommand", r => Kql.ToStr(Kql.Member(Kql.ParseJson(r["AdditionalFields"]), "Command")))
                // | where PSCommand != PowershellFileName
                .Where(r => Kql.NotEqual(r["PSCommand"], r["PowershellFileName"]))
                // | extend PSCommand = toupper(PSCommand)
                .Extend("PSCommand", r => Kql.ToUpper(r["PSCommand"]))
                // | order by PSCommand asc
                .OrderByAscending("PSCommand")
                // | summarize PowershellExecStartTime=min(TimeGenerated), PowershellExecEnd=max(TimeGenerated), make_list(PSCommand)
                //   by PowershellFileName, InitiatingProcessCommandLine
                .Summarize(new[] { "PowershellFileName", "InitiatingProcessCommandLine" },
                    ("PowershellExecStartTime", Kql.Min("TimeGenerated")),
                    ("PowershellExecEnd", Kql.Max("TimeGenerated")),
                    ("list_PSCommand", Kql.MakeList("PSCommand")));

            return t
                // | join kind=inner( DeviceEvents ... ) on $left.FileName == $right.PowershellFileName
                .JoinInner(powershell, "FileName", "PowershellFileName")
                // | project StartTime, EndTime, PowershellFileCreatedTimestamp, PowershellExecStartTime, PowershellExecEnd, PowershellFileName,
                //   PowershellScriptCommands=list_PSCommand, Caller, CallerIpAddress, InitiatingProcessCommandLine,
                //   PowershellFileSize=FileSize, VirtualMachineName, Scope
                .Project(Col("StartTime"), Col("EndTime"), Col("PowershellFileCreatedTimestamp"), Col("PowershellExecStartTime"),
                    Col("PowershellExecEnd"), Col("PowershellFileName"), ("PowershellScriptCommands", r => r["list_PSCommand"]),
                    Col("Caller"), Col("CallerIpAddress"), Col("InitiatingProcessCommandLine"), ("PowershellFileSize", r => r["FileSize"]),
                    Col("VirtualMachineName"), Col("Scope"))
                // | order by StartTime asc
                .OrderByAscending("StartTime")
                // | extend TempFingerprintString = strcat(PowershellScriptCommands, PowershellFileSize)
                .Extend("TempFingerprintString", r => Kql.ToStr(r["PowershellScriptCommands"]) + Kql.ToStr(r["PowershellFileSize"]))
                // | extend ScriptFingerprintHash = hash_sha256(tostring(PowershellScriptCommands))
                .Extend("ScriptFingerprintHash", r => Kql.HashSha256(Kql.ToStr(r["PowershellScriptCommands"])));
        }

        /// <summary>Seed 003 up to its first project: the run command operations it keeps.</summary>
        public static KqlTable AnalyticRuleOperations(KqlTable azureActivity)
        {
            return azureActivity
                // | where OperationNameValue =~ "Microsoft.Compute/virtualMachines/runCommand/action"
                .Where(r => Kql.EqualTilde(r["OperationNameValue"], RunCommandOperationName))
                // | where Authorization has "virtualMachines"
                .Where(r => Kql.Has(r["Authorization"], "virtualMachines"))
                // | summarize StartTime=min(TimeGenerated), EndTime=max(TimeGenerated), max(CallerIpAddress),
                //   make_list(ActivityStatusValue) by CorrelationId, Authorization, Caller
                .Summarize(new[] { "CorrelationId", "Authorization", "Caller" },
                    ("StartTime", Kql.Min("TimeGenerated")),
                    ("EndTime", Kql.Max("TimeGenerated")),
                    ("max_CallerIpAddress", Kql.Max("CallerIpAddress")),
                    ("list_ActivityStatusValue", Kql.MakeList("ActivityStatusValue")))
                // | where list_ActivityStatusValue has_any ("Succeeded", "Success")
                .Where(r => Kql.HasAny(r["list_ActivityStatusValue"], "Succeeded", "Success"))
                // | extend Authorization_d = parse_json(Authorization)
                .Extend("Authorization_d", r => Kql.ParseJson(r["Authorization"]))
                // | extend Scope = Authorization_d.scope
                .Extend("Scope", r => Kql.Member(r["Authorization_d"], "scope"))
                // | extend Scope_s = split(Scope, "/")
                .Extend("Scope_s", r => Kql.Split(r["Scope"], "/"))
                // | extend Subscription = tostring(Scope_s[2])
                .Extend("Subscription", r => Kql.ToStr(Kql.At(r["Scope_s"], 2)))
                // | extend VirtualMachineName = tostring(Scope_s[-1])
                .Extend("VirtualMachineName", r => Kql.ToStr(Kql.At(r["Scope_s"], -1)))
                // | project StartTime, EndTime, Subscription, VirtualMachineName, CorrelationId, Caller,
                //   CallerIpAddress=max_CallerIpAddress, Scope
                .Project(Col("StartTime"), Col("EndTime"), Col("Subscription"), Col("VirtualMachineName"), Col("CorrelationId"),
                    Col("Caller"), ("CallerIpAddress", r => r["max_CallerIpAddress"]), Col("Scope"));
        }

        /// <summary>The DeviceFileEvents sub-query, identical in both seeds.</summary>
        private static KqlTable ScriptFiles(KqlTable deviceFileEvents)
        {
            return deviceFileEvents
                // | where InitiatingProcessFileName == "RunCommandExtension.exe"
                .Where(r => Kql.Equal(r["InitiatingProcessFileName"], "RunCommandExtension.exe"))
                // | extend VirtualMachineName = tostring(split(DeviceName, ".")[0])
                .Extend("VirtualMachineName", r => Kql.ToStr(Kql.At(Kql.Split(r["DeviceName"], "."), 0)))
                // | project VirtualMachineName, PowershellFileCreatedTimestamp=TimeGenerated, FileName, FileSize,
                //   InitiatingProcessAccountName, InitiatingProcessAccountDomain, InitiatingProcessFolderPath, InitiatingProcessId
                .Project(Col("VirtualMachineName"), ("PowershellFileCreatedTimestamp", r => r["TimeGenerated"]), Col("FileName"),
                    Col("FileSize"), Col("InitiatingProcessAccountName"), Col("InitiatingProcessAccountDomain"),
                    Col("InitiatingProcessFolderPath"), Col("InitiatingProcessId"));
        }

        private static (string, Func<Row, object?>) Col(string name) => (name, r => r[name]);
    }
}
