using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>The three input tables of a scenario, as engine records, with helpers that write rows the way
    /// Sentinel holds them. The oracle reads them through <see cref="ToTables"/>; the engine gets the records.</summary>
    public sealed class Evidence
    {
        public static readonly DateTime T0 = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);
        public const string RunCommandAction = "Microsoft.Compute/virtualMachines/runCommand/action";
        public const string Subscription = "0b1f6471-1bf0-4dda-aec3-111122223333";

        public List<AzureActivityRecord> Activity { get; } = new List<AzureActivityRecord>();
        public List<DeviceFileEventRecord> FileEvents { get; } = new List<DeviceFileEventRecord>();
        public List<DeviceEventRecord> DeviceEvents { get; } = new List<DeviceEventRecord>();

        public static DateTime At(int minutes, int seconds = 0) => T0.AddMinutes(minutes).AddSeconds(seconds);

        /// <summary>The scope of a VM's ARM resource id.</summary>
        public static string VmScope(string vm, string subscription = Subscription, string resourceGroup = "rg-prod")
            => $"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.Compute/virtualMachines/{vm}";

        /// <summary>The Authorization JSON text AzureActivity holds for a Run Command on <paramref name="scope"/>.</summary>
        public static string AuthorizationFor(string scope)
            => "{\"action\":\"Microsoft.Compute/virtualMachines/runCommand/action\",\"scope\":\"" + scope + "\"}";

        public Evidence Activity1(DateTime time, string correlationId, string status, string authorization, string caller,
            string callerIpAddress = "", string operationName = RunCommandAction)
        {
            Activity.Add(new AzureActivityRecord
            {
                TimeGenerated = time,
                OperationNameValue = operationName,
                ActivityStatusValue = status,
                Authorization = authorization,
                Caller = caller,
                CallerIpAddress = callerIpAddress,
                CorrelationId = correlationId,
                Origin = new RecordOrigin("AzureActivity", Activity.Count + 1),
            });
            return this;
        }

        /// <summary>A Run Command operation: Started at <paramref name="start"/>, Accepted a second later,
        /// then <paramref name="finalStatus"/> at <paramref name="end"/>, all with the same Authorization and Caller.</summary>
        public Evidence Operation(string correlationId, string vm, DateTime start, DateTime end, string caller = "alice@contoso.com",
            string callerIpAddress = "10.0.0.5", string finalStatus = "Succeeded", string operationName = RunCommandAction)
        {
            var auth = AuthorizationFor(VmScope(vm));
            Activity1(start, correlationId, "Started", auth, caller, callerIpAddress, operationName);
            Activity1(start.AddSeconds(1), correlationId, "Accepted", auth, caller, callerIpAddress, operationName);
            Activity1(end, correlationId, finalStatus, auth, caller, "", operationName);
            return this;
        }

        /// <summary>RunCommandExtension.exe writing a script file on <paramref name="deviceName"/>.</summary>
        public Evidence ScriptFile(string deviceName, string fileName, DateTime time, long? fileSize = 1024,
            string initiatingProcessFileName = "RunCommandExtension.exe")
        {
            FileEvents.Add(new DeviceFileEventRecord
            {
                TimeGenerated = time,
                DeviceName = deviceName,
                ActionType = "FileCreated",
                FileName = fileName,
                FolderPath = @"C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandWindows\1.1.18\Downloads\" + fileName,
                FileSize = fileSize,
                InitiatingProcessFileName = initiatingProcessFileName,
                InitiatingProcessAccountName = "system",
                InitiatingProcessAccountDomain = "nt authority",
                InitiatingProcessFolderPath = @"C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandWindows\1.1.18\bin\RunCommandExtension.exe",
                InitiatingProcessId = 4242,
                Origin = new RecordOrigin("DeviceFileEvents", FileEvents.Count + 1),
            });
            return this;
        }

        /// <summary>A PowerShellCommand DeviceEvents row whose AdditionalFields is {"Command": command}.</summary>
        public Evidence PowerShell(string deviceName, string commandLine, string command, DateTime time)
        {
            return DeviceEvent(deviceName, commandLine, JsonSerializer.Serialize(new Dictionary<string, string> { ["Command"] = command }),
                command, time, "PowerShellCommand");
        }

        /// <summary>Any DeviceEvents row; <paramref name="command"/> is what a reader puts in Command for these
        /// AdditionalFields (tostring(parse_json(AdditionalFields).Command)).</summary>
        public Evidence DeviceEvent(string deviceName, string commandLine, string additionalFields, string command, DateTime time,
            string actionType)
        {
            DeviceEvents.Add(new DeviceEventRecord
            {
                TimeGenerated = time,
                DeviceName = deviceName,
                ActionType = actionType,
                InitiatingProcessCommandLine = commandLine,
                InitiatingProcessFileName = "powershell.exe",
                InitiatingProcessId = 5150,
                AdditionalFields = additionalFields,
                Command = command,
                Origin = new RecordOrigin("DeviceEvents", DeviceEvents.Count + 1),
            });
            return this;
        }

        /// <summary>The records as Kusto tables with the Sentinel columns the seeds read. The oracle takes
        /// AdditionalFields, never the pre-computed Command.</summary>
        public (KqlTable AzureActivity, KqlTable DeviceFileEvents, KqlTable DeviceEvents) ToTables()
        {
            var activity = new KqlTable(
                new[] { "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress", "CorrelationId" },
                Activity.Select(a => new Row
                {
                    ["TimeGenerated"] = a.TimeGenerated,
                    ["OperationNameValue"] = a.OperationNameValue,
                    ["ActivityStatusValue"] = a.ActivityStatusValue,
                    ["Authorization"] = a.Authorization,
                    ["Caller"] = a.Caller,
                    ["CallerIpAddress"] = a.CallerIpAddress,
                    ["CorrelationId"] = a.CorrelationId,
                }));
            var files = new KqlTable(
                new[] { "TimeGenerated", "DeviceName", "FileName", "FileSize", "InitiatingProcessFileName", "InitiatingProcessAccountName",
                    "InitiatingProcessAccountDomain", "InitiatingProcessFolderPath", "InitiatingProcessId" },
                FileEvents.Select(f => new Row
                {
                    ["TimeGenerated"] = f.TimeGenerated,
                    ["DeviceName"] = f.DeviceName,
                    ["FileName"] = f.FileName,
                    ["FileSize"] = f.FileSize,
                    ["InitiatingProcessFileName"] = f.InitiatingProcessFileName,
                    ["InitiatingProcessAccountName"] = f.InitiatingProcessAccountName,
                    ["InitiatingProcessAccountDomain"] = f.InitiatingProcessAccountDomain,
                    ["InitiatingProcessFolderPath"] = f.InitiatingProcessFolderPath,
                    ["InitiatingProcessId"] = f.InitiatingProcessId,
                }));
            var events = new KqlTable(
                new[] { "TimeGenerated", "DeviceName", "ActionType", "InitiatingProcessCommandLine", "AdditionalFields" },
                DeviceEvents.Select(e => new Row
                {
                    ["TimeGenerated"] = e.TimeGenerated,
                    ["DeviceName"] = e.DeviceName,
                    ["ActionType"] = e.ActionType,
                    ["InitiatingProcessCommandLine"] = e.InitiatingProcessCommandLine,
                    ["AdditionalFields"] = e.AdditionalFields,
                }));
            return (activity, files, events);
        }
    }
}
