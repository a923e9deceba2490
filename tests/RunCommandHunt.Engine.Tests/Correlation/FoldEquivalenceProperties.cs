using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CsCheck;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Tests.Compatibility;
using RunCommandHunt.Engine.Tests.Oracle;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>
    /// The engine folds AzureActivity and DeviceEvents rows as they are read instead of holding them; on random
    /// evidence its default behaviour returns what the record-holding reference (<see cref="RecordReference"/>)
    /// returns, every column compared, in the same order.
    /// </summary>
    public sealed class FoldEquivalenceProperties
    {
        private const long Iterations = 800;

        /// <summary>Evidence the seeds' generator makes, with what only the default reads added: events exported
        /// twice, rows of one time, MDE's Linux ScriptContent events, process events, rows without a CorrelationId
        /// or Authorization, device names differing in case.</summary>
        private static readonly Gen<(Evidence Evidence, List<DeviceProcessEventRecord> Processes)> Sets = Gen.Select(
            EvidenceGenerator.Sets, Gen.Int[0, 1 << 20].Array[0, 10], Gen.Int[0, 1 << 20].Array[0, 8], Gen.Int[0, 1 << 20].Array[0, 4], Mutate);

        private static (Evidence, List<DeviceProcessEventRecord>) Mutate(Evidence e, int[] duplicates, int[] extras, int[] activity)
        {
            var events = e.DeviceEvents;
            foreach (var d in duplicates)
            {
                if (events.Count == 0) break;
                var x = events[d % events.Count];
                var copy = Copy(x);
                if ((d >> 8) % 3 == 0) copy.DeviceName = copy.DeviceName.ToUpperInvariant(); // the same event, the device's name in another case
                if ((d >> 8) % 5 == 1) copy.TimeGenerated = x.TimeGenerated.AddMinutes(1);   // a later command of the same run
                events.Insert((d >> 4) % (events.Count + 1), copy);
            }
            var processes = new List<DeviceProcessEventRecord>();
            foreach (var x in extras)
            {
                if (e.FileEvents.Count == 0) break;
                var f = e.FileEvents[x % e.FileEvents.Count];
                var time = f.TimeGenerated.AddSeconds((x >> 6) % 5 - 1);
                switch ((x >> 3) % 5)
                {
                    case 0: // Linux: the script's text, by hash or by path
                        events.Add(new DeviceEventRecord
                        {
                            TimeGenerated = time, DeviceName = f.DeviceName, ActionType = "ScriptContent",
                            SHA256 = (x & 1) == 0 ? f.SHA256 : "", FileName = f.FileName, FolderPath = (x & 2) == 0 ? f.FolderPath : "",
                            ScriptContent = "echo " + x, AdditionalFields = "{}",
                        });
                        break;
                    case 1: // the interpreter running the script
                        processes.Add(new DeviceProcessEventRecord
                        {
                            TimeGenerated = time, DeviceName = f.DeviceName, FileName = "powershell.exe",
                            ProcessCommandLine = "powershell -File " + f.FileName, InitiatingProcessCommandLine = "RunCommandExtension.exe",
                        });
                        break;
                    case 2: // a child of the script
                        processes.Add(new DeviceProcessEventRecord
                        {
                            TimeGenerated = time.AddSeconds(1), DeviceName = f.DeviceName, FileName = "whoami.exe",
                            ProcessCommandLine = "whoami", InitiatingProcessCommandLine = "powershell -File " + f.FileName,
                        });
                        break;
                    case 3: // a script's run: a few commands after the write, some at one time
                        for (int k = 0; k < 1 + (x >> 9) % 4; k++)
                        {
                            var command = Commands[(x >> (k + 2)) % Commands.Length];
                            events.Add(new DeviceEventRecord
                            {
                                TimeGenerated = time.AddSeconds((x >> (k + 5)) % 2 + k / 2), DeviceName = (x & 4) == 0 ? f.DeviceName : f.DeviceName.ToLowerInvariant(),
                                ActionType = "PowerShellCommand", InitiatingProcessCommandLine = "powershell -ExecutionPolicy Unrestricted -File " + f.FileName,
                                AdditionalFields = "{\"Command\":\"" + command + "\"}", Command = command,
                            });
                        }
                        break;
                    default: // a second write of the same file, or a write with the same time as another
                        e.FileEvents.Add(new DeviceFileEventRecord
                        {
                            TimeGenerated = (x & 1) == 0 ? f.TimeGenerated : time, DeviceName = (x & 2) == 0 ? f.DeviceName : f.DeviceName.ToUpperInvariant(),
                            ActionType = "FileModified", FileName = f.FileName, FolderPath = f.FolderPath, FileSize = f.FileSize + 1,
                            SHA256 = f.SHA256, InitiatingProcessFileName = f.InitiatingProcessFileName,
                        });
                        break;
                }
            }
            foreach (var a in activity)
            {
                if (e.Activity.Count == 0) break;
                var row = e.Activity[a % e.Activity.Count];
                var copy = new AzureActivityRecord
                {
                    TimeGenerated = (a & 1) == 0 ? row.TimeGenerated : row.TimeGenerated.AddSeconds(-1),
                    OperationNameValue = row.OperationNameValue, ActivityStatusValue = (a & 2) == 0 ? "Failed" : row.ActivityStatusValue,
                    Authorization = (a & 4) == 0 ? row.Authorization : "",
                    ResourceId = "/subscriptions/s2/resourceGroups/rg2/providers/Microsoft.Compute/virtualMachines/" + (a % 7),
                    Caller = (a & 8) == 0 ? row.Caller : "", CallerIpAddress = (a & 16) == 0 ? "10.9.9." + (a % 9) : "",
                    CorrelationId = (a & 32) == 0 ? row.CorrelationId.ToUpperInvariant() : "",
                    SubscriptionId = "s3", ResourceGroup = "rg3",
                };
                e.Activity.Insert((a >> 6) % (e.Activity.Count + 1), copy);
            }
            return (e, processes);
        }

        private static readonly string[] Commands = { "Get-Process", "get-process", "Write-Output", "Invoke-WebRequest", "script1.ps1" };

        private static DeviceEventRecord Copy(DeviceEventRecord x) => new DeviceEventRecord
        {
            TimeGenerated = x.TimeGenerated, DeviceId = x.DeviceId, DeviceName = x.DeviceName, ActionType = x.ActionType,
            InitiatingProcessCommandLine = x.InitiatingProcessCommandLine, InitiatingProcessId = x.InitiatingProcessId,
            InitiatingProcessFileName = x.InitiatingProcessFileName, FileName = x.FileName, FolderPath = x.FolderPath, SHA256 = x.SHA256,
            AdditionalFields = x.AdditionalFields, Command = x.Command, ScriptContent = x.ScriptContent, Origin = x.Origin,
        };

        [Fact]
        public void Default_WhenEvidenceIsRandom_ShouldReturnWhatTheRecordHoldingReferenceReturns()
        {
            long withExecutions = 0, withCommands = 0;
            Sets.Sample(s =>
            {
                var (e, processes) = s;
                foreach (var includeFailed in new[] { false, true })
                {
                    var expectedOps = RecordReference.Operations(e.Activity, includeFailed);
                    var actualOps = OperationBuilder.Build(e.Activity, CompatibilityMode.None, includeFailed).ToList();
                    Assert.Equal(expectedOps.Select(Describe), actualOps.Select(Describe));
                }

                var operations = RecordReference.Operations(e.Activity, includeFailed: false);
                var expected = RecordReference.Executions(operations, e.FileEvents, e.DeviceEvents, processes);
                var actual = ScriptExecutionCorrelator.Correlate(operations, e.FileEvents, e.DeviceEvents, processes, CompatibilityMode.None).ToList();
                Assert.Equal(expected.Select(Describe), actual.Select(Describe));
                if (expected.Count > 0) Interlocked.Increment(ref withExecutions);
                if (expected.Any(x => x.PowershellScriptCommands!.Length > 1)) Interlocked.Increment(ref withCommands);
            }, iter: Iterations, print: s => EvidenceGenerator.Describe(s.Evidence));

            // The generator must reach linked runs with several commands, or the property proves little.
            Assert.True(withExecutions > Iterations / 5, $"Only {withExecutions} of {Iterations} samples linked an execution.");
            Assert.True(withCommands > Iterations / 20, $"Only {withCommands} of {Iterations} samples linked several commands.");
        }

        /// <summary>Rows folded in parts (as readers fold what they read ahead) and appended in order give what one fold
        /// of them all gives, in every behaviour.</summary>
        [Fact]
        public void Fold_WhenRowsFoldedInPartsAndAppended_ShouldGiveWhatOneFoldGives()
        {
            Gen.Select(Sets, Gen.Int[0, 1 << 20].Array[0, 4]).Sample(s =>
            {
                var ((e, processes), cuts) = s;
                foreach (var mode in new[] { CompatibilityMode.None, CompatibilityMode.AnalyticRule, CompatibilityMode.HuntingQuery })
                {
                    var operations = new OperationFold(mode, includeFailed: true);
                    foreach (var row in e.Activity) operations.Add(row);
                    var opsInParts = InParts(new OperationFold(mode, includeFailed: true), e.Activity, cuts);
                    var expectedOps = operations.Build().ToList();
                    Assert.Equal(expectedOps.Select(Describe), opsInParts.Build().Select(Describe));

                    var expected = ScriptExecutionCorrelator.Correlate(expectedOps, e.FileEvents, DeviceEventFold.Of(e.DeviceEvents, mode), processes).ToList();
                    var eventsInParts = InParts(new DeviceEventFold(mode), e.DeviceEvents, cuts);
                    Assert.Equal(DeviceEventFold.Of(e.DeviceEvents, mode).Count, eventsInParts.Count);
                    Assert.Equal(expected.Select(Describe), ScriptExecutionCorrelator.Correlate(expectedOps, e.FileEvents, eventsInParts, processes).Select(Describe));
                }
            }, iter: Iterations / 2, print: s => EvidenceGenerator.Describe(s.Item1.Evidence));
        }

        /// <summary>The rows cut at the given places, each piece folded into a part of its own, the parts appended to the first.</summary>
        private static TFold InParts<TFold, T>(TFold first, IReadOnlyList<T> rows, int[] cuts) where TFold : IEvidenceFold<T> where T : class
        {
            var at = cuts.Select(c => rows.Count == 0 ? 0 : c % (rows.Count + 1)).Distinct().OrderBy(c => c).ToList();
            at.Add(rows.Count);
            IEvidenceFold<T> current = first;
            int from = 0;
            foreach (var end in at)
            {
                for (int i = from; i < end; i++) current.Add(rows[i]);
                if (!ReferenceEquals(current, first))
                {
                    current.ShiftLines(from);
                    first.Append(current);
                }
                current = first.NewPart();
                from = end;
            }
            return first;
        }

        private static string Describe(RunCommandOperation o) => string.Join(" | ", o.StartTime.Ticks, o.EndTime.Ticks, o.Subscription, o.ResourceGroup,
            o.VirtualMachineName, o.CorrelationId, o.Caller, o.CallerIpAddress, o.Scope, o.Status, string.Join(",", o.ActivityStatusValues),
            o.OperationNameValue, o.OperationKind, o.Authorization);

        private static string Describe(RunCommandScriptExecution x) => string.Join(" | ", x.CorrelationId, x.DeviceName, x.PowershellFileName,
            x.PowershellFileCreatedTimestamp.Ticks, x.PowershellFileSize, x.PowershellExecStart.Ticks, x.PowershellExecEnd.Ticks,
            string.Join(",", x.PowershellScriptCommands!), x.InitiatingProcessCommandLine, x.ScriptFingerprintHash, x.ScriptContent);
    }
}
