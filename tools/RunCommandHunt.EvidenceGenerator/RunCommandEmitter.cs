using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>Writes everything one Run Command leaves behind: its AzureActivity events, RunCommandExtension's
    /// file writes and the PowerShell process's DeviceEvents.</summary>
    internal sealed class RunCommandEmitter
    {
        private readonly RowFactory _rows;
        private readonly Prng _prng;

        public RunCommandEmitter(RowFactory rows, Prng prng) { _rows = rows; _prng = prng; }

        public void Emit(RunCommandOperation op, Timeline timeline)
        {
            EmitActivity(op, timeline);
            if (!op.WroteScript) return;
            EmitFiles(op, timeline);
            EmitPowerShell(op, timeline);
        }

        private void EmitActivity(RunCommandOperation op, Timeline timeline)
        {
            bool modern = op.Vocabulary == StatusVocabulary.Modern;
            string[] statuses = op.ActivityStatusValues;
            var times = op.Accepted.HasValue ? new[] { op.Started, op.Accepted.Value, op.Ended } : new[] { op.Started, op.Ended };
            string claims = _rows.Claims(op.Caller, op.CallerIpAddress, op.Started);
            string subscriptionId = op.Machine.Subscription!.Id;
            string resourceId = op.Machine.ResourceId;
            for (int i = 0; i < statuses.Length; i++)
            {
                bool last = i == statuses.Length - 1;
                bool failed = last && !op.Succeeded;
                string? statusCode = i == 0 ? null : last ? (failed ? op.ErrorCode : "OK") : "Accepted";
                string substatus = statusCode ?? "";
                string? statusMessage = failed
                    ? new JsonObject().AddRaw("error", new JsonObject().Add("code", op.ErrorCode).Add("message", op.ErrorMessage).ToString()).ToString()
                    : null;
                string properties = _rows.Properties("Administrative", resourceId, op.OperationNameValue, subscriptionId, statusCode,
                    withServiceRequestId: !last && i > 0, statusMessage);
                // The request events carry the client's address; the completion event has no HTTP context.
                string ip = last ? "" : op.CallerIpAddress;
                string http = last ? "" : RowFactory.HttpRequest(op.ClientRequestId, op.CallerIpAddress, "POST");
                timeline.Emit(timeline.AzureActivity, _rows.ActivityEvent(times[i], modern, op.OperationNameValue,
                    "Run Command on Virtual Machine", statuses[i], substatus, op.CorrelationId, op.OperationId, op.Authorization,
                    claims, op.Caller.Caller, ip, http, resourceId, subscriptionId, op.Machine.ResourceGroup, "Microsoft.Compute",
                    "Administrative", failed ? "Error" : "Informational", properties));
            }
        }

        private ProcessInfo ExtensionProcess(RunCommandOperation op)
        {
            var agent = op.Machine.Process("WindowsAzureGuestAgent.exe", _prng);
            var image = ImageCatalog.RunCommandExtension(op.Machine.ExtensionVersion);
            return ProcessInfo.Started(image, op.ExtensionProcessId, op.ExtensionProcessCreated, image.DefaultCommandLine,
                agent.Image.FileName, agent.Id, agent.CreationTime);
        }

        private void EmitFiles(RunCommandOperation op, Timeline timeline)
        {
            var ext = ExtensionProcess(op);
            string version = op.Machine.ExtensionVersion;

            var log = _rows.File(op.Machine, op.LogWritten!.Value)
                .Set("ActionType", "FileModified")
                .Set("FileName", "RunCommandExtension.log")
                .Set("FolderPath", $@"C:\WindowsAzure\Logs\Plugins\Microsoft.CPlat.Core.RunCommandWindows\{version}\RunCommandExtension.log")
                .Set("FileSize", (long)_prng.Next(20_000, 2_000_000));
            ext.Apply(log);
            timeline.Emit(timeline.DeviceFileEvents, log);

            var script = _rows.File(op.Machine, op.FileCreated!.Value)
                .Set("ActionType", "FileCreated")
                .Set("FileName", op.ScriptFileName)
                .Set("FolderPath", op.ScriptFolderPath)
                .Set("SHA1", op.Script.Sha1)
                .Set("SHA256", op.Script.Sha256)
                .Set("MD5", op.Script.Md5)
                .Set("FileSize", op.Script.FileSize);
            ext.Apply(script);
            timeline.Emit(timeline.DeviceFileEvents, script);

            string statusName = op.SequenceNumber + ".status";
            var status = _rows.File(op.Machine, op.StatusWritten!.Value)
                .Set("ActionType", "FileCreated")
                .Set("FileName", statusName)
                .Set("FolderPath", ImageCatalog.RunCommandPluginFolder(version) + @"Status\" + statusName)
                .Set("FileSize", (long)_prng.Next(600, 4200));
            ext.Apply(status);
            timeline.Emit(timeline.DeviceFileEvents, status);
        }

        private static readonly Regex NewUser = new Regex(@"New-LocalUser -Name '([^']+)'", RegexOptions.CultureInvariant);

        private void EmitPowerShell(RunCommandOperation op, Timeline timeline)
        {
            var image = ImageCatalog.Get("powershell.exe");
            DateTime created = op.PowerShellEventTimes[0].AddTicks(-_prng.Seconds(0.1, 0.6));
            var ps = ProcessInfo.Started(image, op.PowerShellProcessId, created, op.PowerShellCommandLine,
                "cmd.exe", op.CmdProcessId, created.AddTicks(-_prng.Seconds(0.02, 0.08)));

            var commands = op.CommandsRun;
            for (int i = 0; i < op.PowerShellEventTimes.Length; i++)
            {
                // MDE's first PowerShellCommand event of a Run Command script names the script itself.
                string command = i == 0 ? op.ScriptFileName : commands[i - 1];
                var row = _rows.Event(op.Machine, op.PowerShellEventTimes[i])
                    .Set("ActionType", "PowerShellCommand")
                    .Set("AdditionalFields", new JsonObject().Add("Command", command).ToString());
                ps.Apply(row);
                timeline.Emit(timeline.DeviceEvents, row);

                foreach (var side in SideEffects(op, command, op.PowerShellEventTimes[i]))
                {
                    ps.Apply(side);
                    timeline.Emit(timeline.DeviceEvents, side);
                }
            }
        }

        /// <summary>Rows other than PowerShellCommand that the script's own process causes. They carry the
        /// script's command line but no Command, which the seeds do not filter out (see samples/README.md).</summary>
        private IEnumerable<Row> SideEffects(RunCommandOperation op, string command, DateTime at)
        {
            string host = op.Machine.DeviceName.Split('.')[0].ToUpperInvariant();
            var user = NewUser.Match(op.Script.Text);
            string account = user.Success ? user.Groups[1].Value : "";
            if (command == "New-LocalUser" && account.Length > 0)
            {
                yield return _rows.Event(op.Machine, at.AddTicks(_prng.Seconds(0.01, 0.2)))
                    .Set("ActionType", "UserAccountCreated")
                    .Set("AccountDomain", host)
                    .Set("AccountName", account)
                    .Set("AccountSid", $"S-1-5-21-{_prng.Next(100000000, 2000000000)}-{_prng.Next(100000000, 2000000000)}-{_prng.Next(100000000, 2000000000)}-1001");
            }
            else if (command == "Add-LocalGroupMember" && account.Length > 0)
            {
                yield return _rows.Event(op.Machine, at.AddTicks(_prng.Seconds(0.01, 0.2)))
                    .Set("ActionType", "UserAccountAddedToLocalGroup")
                    .Set("AccountDomain", host)
                    .Set("AccountName", account)
                    .Set("AdditionalFields", new JsonObject().Add("GroupName", "Administrators").Add("GroupDomainName", "BUILTIN").Add("GroupSid", "S-1-5-32-544").ToString());
            }
        }

        /// <summary>How many rows of each table Emit writes for op, for sizing the noise.</summary>
        public static (long Activity, long Files, long Events) RowCounts(RunCommandOperation op)
        {
            long activity = op.ActivityStatusValues.Length;
            if (!op.WroteScript) return (activity, 0, 0);
            long events = op.PowerShellEventTimes.Length;
            if (NewUser.IsMatch(op.Script.Text))
            {
                foreach (var c in op.CommandsRun)
                    if (c == "New-LocalUser" || c == "Add-LocalGroupMember") events++;
            }
            return (activity, 3, events);
        }

        /// <summary>DeviceEvents rows of op that carry its PowerShell command line but no Command.</summary>
        public static int RowsWithoutCommand(RunCommandOperation op) => (int)(RowCounts(op).Events - op.PowerShellEventTimes.Length);
    }
}
