using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using CsCheck;
using RunCommandHunt.Engine.Tests.Oracle;

namespace RunCommandHunt.Engine.Tests.Compatibility
{
    // The engine's RunCommandHunt.Engine.Kql namespace would otherwise hide the oracle's Kql class here.
    using Kql = RunCommandHunt.Engine.Tests.Oracle.Kql;

    /// <summary>Random small evidence sets built to hit the seeds' quirks: a few VMs with FQDN and case variants,
    /// scriptN names reused across machines, overlapping windows with exact-edge file times, both status
    /// vocabularies and casings, odd Authorization texts, command lines the regex half-matches, and DeviceEvents
    /// without a Command. DeviceEvents times are all distinct, because 000 lists commands in time order and Kusto
    /// leaves the order of ties undefined.</summary>
    public static class EvidenceGenerator
    {
        private static readonly string[] Vms = { "vm1", "VM1", "web01", "vm2" };
        private static readonly string[] Callers = { "alice@contoso.com", "5f1c8b9e-0000-4000-8000-1234567890ab", "bob@fabrikam.com" };
        private static readonly string[] Ips = { "", "10.0.0.5", "9.1.1.1", "10.0.0.12" };
        private static readonly string[] DeviceNames =
            { "vm1", "vm1.contoso.com", "VM1.contoso.com", "web01.corp.local", "WEB01", "vm2", "vm2.contoso.com", "" };
        private static readonly string[] FileNames = { "script0.ps1", "script1.ps1", "script2.ps1", "script3.ps1", "", "Script1.ps1" };

        public sealed class OperationSpec
        {
            public int Correlation, Vm, AuthorizationVariant, Caller;
            public string OperationName = "";
            public int StartMinute;
            public EventSpec[] Events = Array.Empty<EventSpec>();
        }

        public sealed class EventSpec
        {
            public string Status = "";
            public int OffsetMinute, Ip;
            public bool OtherAuthorization;
        }

        public sealed class FileSpec
        {
            public int Device, FileName, Minute, Size;
            /// <summary>Which operation the file time and machine follow (modulo the count).</summary>
            public int Anchor;
            /// <summary>0 the minute itself, 1 the operation's start, 2 its end, 3 a minute after its start.</summary>
            public int AnchorTime;
            /// <summary>0 the device pool, 1 the anchor's VM as an FQDN, 2 the VM itself, 3 the VM upper-cased as an FQDN.</summary>
            public int AnchorDevice;
            public long DeltaTicks;
            public string InitiatingProcessFileName = "";
        }

        public sealed class PowerShellSpec
        {
            public int Device, Script, Minute, FieldsMode;
            public string CommandLineTemplate = "", Command = "";
        }

        /// <summary>Device names weighted towards ones that match a VM, with FQDN, case and empty variants.</summary>
        private static readonly Gen<int> DeviceGen = Gen.FrequencyConst((3, 0), (3, 1), (1, 2), (2, 3), (1, 4), (2, 5), (1, 6), (1, 7));

        private static readonly Gen<EventSpec> EventGen = Gen.Select(
            Gen.FrequencyConst((2, "Started"), (2, "Accepted"), (5, "Succeeded"), (2, "Success"), (1, "SUCCEEDED"),
                (1, "Failed"), (1, "Start"), (1, "Accept")),
            Gen.Int[0, 4], Gen.Int[0, Ips.Length - 1], Gen.Int[0, 9],
            (status, offset, ip, other) => new EventSpec { Status = status, OffsetMinute = offset, Ip = ip, OtherAuthorization = other == 0 });

        private static readonly Gen<OperationSpec> OperationGen = Gen.Select(
            Gen.Int[0, 3], Gen.FrequencyConst((4, 0), (1, 1), (2, 2), (2, 3)), Gen.FrequencyConst((5, 0), (1, 1), (1, 2), (1, 3), (1, 4), (1, 5)),
            Gen.Int[0, Callers.Length - 1],
            Gen.FrequencyConst((6, Evidence.RunCommandAction), (2, "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION"),
                (1, "microsoft.compute/virtualmachines/runcommand/action"), (1, "Microsoft.Compute/virtualMachines/write")),
            Gen.Int[0, 10], EventGen.Array[2, 4],
            (correlation, vm, auth, caller, name, start, events) => new OperationSpec
            {
                Correlation = correlation, Vm = vm, AuthorizationVariant = auth, Caller = caller, OperationName = name,
                StartMinute = start, Events = events,
            });

        private static readonly Gen<FileSpec> FileGen = Gen.Select(
            DeviceGen, Gen.FrequencyConst((3, 0), (3, 1), (2, 2), (1, 3), (1, 4), (1, 5)),
            Gen.Int[0, 14], Gen.FrequencyConst((6, 0L), (1, -1L), (1, 1L), (1, TimeSpan.TicksPerSecond * 30)),
            Gen.Int[0, 2],
            Gen.FrequencyConst((6, "RunCommandExtension.exe"), (1, "runcommandextension.exe"), (1, "powershell.exe")),
            Gen.Select(Gen.Int[0, 3], Gen.FrequencyConst((1, 0), (2, 1), (2, 2), (1, 3)), Gen.FrequencyConst((2, 0), (3, 1), (2, 2), (1, 3))),
            (device, file, minute, delta, size, initiating, anchor) => new FileSpec
            {
                Device = device, FileName = file, Minute = minute, DeltaTicks = delta, Size = size, InitiatingProcessFileName = initiating,
                Anchor = anchor.Item1, AnchorTime = anchor.Item2, AnchorDevice = anchor.Item3,
            });

        private static readonly Gen<PowerShellSpec> PowerShellGen = Gen.Select(
            DeviceGen,
            Gen.FrequencyConst(
                (5, "powershell -ExecutionPolicy Unrestricted -File script{N}.ps1"),
                (2, "powershell.exe -ExecutionPolicy Unrestricted -File script{N}.ps1"),
                (1, "powershell -ExecutionPolicy Unrestricted -file script{N}.ps1"),
                (1, "powershell -File C:\\Packages\\script{N}.ps1"),
                (1, "powershell -FilePath script{N}.ps1"),
                (1, "powershell -File\tscript{N}.ps1"),
                (1, "cmd.exe /c whoami")),
            Gen.Int[0, 2],
            Gen.FrequencyConst((3, "script{N}.ps1"), (1, "Script{N}.ps1"), (3, "Get-Process"), (2, "get-process"), (2, "Write-Output"),
                (1, "Get-ChildItem"), (1, "Out-String \"q\""), (1, "Grüße-艺术"), (1, "a\\b"), (1, ""), (1, "x\ny")),
            Gen.FrequencyConst((6, 0), (1, 1), (1, 2), (1, 3)),
            Gen.Int[0, 40],
            (device, template, script, command, fields, minute) => new PowerShellSpec
            {
                Device = device, CommandLineTemplate = template, Script = script, Command = command, FieldsMode = fields, Minute = minute,
            });

        public static readonly Gen<Evidence> Sets = Gen.Select(
            OperationGen.Array[1, 4], FileGen.Array[1, 8], PowerShellGen.Array[1, 12], Build);

        private static Evidence Build(OperationSpec[] operations, FileSpec[] files, PowerShellSpec[] powerShell)
        {
            var evidence = new Evidence();
            foreach (var op in operations)
            {
                var vm = Vms[op.Vm];
                foreach (var e in op.Events)
                {
                    var auth = Authorization(vm, e.OtherAuthorization ? 1 : op.AuthorizationVariant);
                    evidence.Activity1(Evidence.At(op.StartMinute + e.OffsetMinute), "corr-" + op.Correlation, e.Status, auth,
                        Callers[op.Caller], Ips[e.Ip], op.OperationName);
                }
            }
            foreach (var f in files)
            {
                // Files follow an operation's machine and window edges often enough for the joins to have work to do.
                var anchor = operations[f.Anchor % operations.Length];
                var anchorVm = Vms[anchor.Vm];
                var start = anchor.StartMinute + anchor.Events.Min(e => e.OffsetMinute);
                var end = anchor.StartMinute + anchor.Events.Max(e => e.OffsetMinute);
                var minute = f.AnchorTime == 1 ? start : f.AnchorTime == 2 ? end : f.AnchorTime == 3 ? start + 1 : f.Minute;
                var device = f.AnchorDevice == 1 ? anchorVm + ".contoso.com"
                    : f.AnchorDevice == 2 ? anchorVm
                    : f.AnchorDevice == 3 ? anchorVm.ToUpperInvariant() + ".contoso.com"
                    : DeviceNames[f.Device];
                long? size = f.Size == 0 ? (long?)null : f.Size * 100L;
                evidence.ScriptFile(device, FileNames[f.FileName], Evidence.At(minute).AddTicks(f.DeltaTicks), size, f.InitiatingProcessFileName);
            }
            for (var i = 0; i < powerShell.Length; i++)
            {
                var p = powerShell[i];
                var n = p.Script.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var commandLine = p.CommandLineTemplate.Replace("{N}", n);
                var command = p.Command.Replace("{N}", n);
                // The index in milliseconds keeps every DeviceEvents time distinct.
                var time = Evidence.At(p.Minute).AddMilliseconds(i);
                switch (p.FieldsMode)
                {
                    case 0:
                        evidence.PowerShell(DeviceNames[p.Device], commandLine, command, time);
                        break;
                    case 1:
                        evidence.DeviceEvent(DeviceNames[p.Device], commandLine, "{}", "", time, "AmsiScriptDetection");
                        break;
                    case 2:
                        evidence.DeviceEvent(DeviceNames[p.Device], commandLine, "not json", "", time, "ScriptContent");
                        break;
                    default:
                        evidence.DeviceEvent(DeviceNames[p.Device], commandLine, "", "", time, "ProcessCreated");
                        break;
                }
            }
            return evidence;
        }

        /// <summary>Authorization texts: 0 plain, 1 with evidence (another grouping key), 2 trailing slash,
        /// 3 not JSON, 4 a scale-set VM scope, 5 another subscription.</summary>
        private static string Authorization(string vm, int variant)
        {
            switch (variant)
            {
                case 1:
                    return "{\"action\":\"Microsoft.Compute/virtualMachines/runCommand/action\",\"scope\":\"" + Evidence.VmScope(vm)
                        + "\",\"evidence\":{\"role\":\"Virtual Machine Contributor\",\"principalType\":\"User\"}}";
                case 2: return Evidence.AuthorizationFor(Evidence.VmScope(vm) + "/");
                case 3: return "runCommand on virtualMachines/" + vm;
                case 4:
                    return Evidence.AuthorizationFor("/subscriptions/" + Evidence.Subscription
                        + "/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/" + vm);
                case 5: return Evidence.AuthorizationFor(Evidence.VmScope(vm, "sub-b", "RG-Other"));
                default: return Evidence.AuthorizationFor(Evidence.VmScope(vm));
            }
        }

        /// <summary>The evidence as text, for a failing sample's report.</summary>
        public static string Describe(Evidence e)
        {
            var lines = new List<string> { "AzureActivity:" };
            lines.AddRange(e.Activity.Select(a => $"  {Kql.FormatDateTime(a.TimeGenerated)} {a.CorrelationId} {a.ActivityStatusValue} " +
                $"{a.OperationNameValue} caller={a.Caller} ip={a.CallerIpAddress} auth={a.Authorization}"));
            lines.Add("DeviceFileEvents:");
            lines.AddRange(e.FileEvents.Select(f => $"  {Kql.FormatDateTime(f.TimeGenerated)} device={Kql.ToJson(f.DeviceName)} " +
                $"file={Kql.ToJson(f.FileName)} size={f.FileSize} by={f.InitiatingProcessFileName}"));
            lines.Add("DeviceEvents:");
            lines.AddRange(e.DeviceEvents.Select(d => $"  {Kql.FormatDateTime(d.TimeGenerated)} device={Kql.ToJson(d.DeviceName)} " +
                $"cmd={Kql.ToJson(d.InitiatingProcessCommandLine)} fields={Kql.ToJson(d.AdditionalFields)} Command={Kql.ToJson(d.Command)}"));
            return string.Join(Environment.NewLine, lines);
        }
    }
}
