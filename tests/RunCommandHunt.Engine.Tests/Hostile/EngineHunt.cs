using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Readers;
using RunCommandHunt.Engine.Tests.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Hostile
{
    /// <summary>
    /// The three cmdlets' path through the engine on one folder: Resolve, each table read with the behaviour's filter,
    /// OperationBuilder -> ScriptExecutionCorrelator -> UniqueScriptFinder. Results as keys (see cases.json).
    /// </summary>
    internal sealed class EngineHunt
    {
        public CollectingLog Log { get; } = new CollectingLog();
        public IReadOnlyList<EvidenceFile> Files { get; private set; } = Array.Empty<EvidenceFile>();
        public IReadOnlyList<FileReadStatistics> Statistics { get; private set; } = Array.Empty<FileReadStatistics>();
        public List<RunCommandOperation> Operations { get; } = new List<RunCommandOperation>();
        public List<RunCommandScriptExecution> Executions { get; } = new List<RunCommandScriptExecution>();
        public List<UniqueRunCommandScript> Unique { get; } = new List<UniqueRunCommandScript>();
        public EvidenceException? Error { get; private set; }

        public static EngineHunt Run(IEnumerable<string> paths, CompatibilityMode mode)
        {
            var hunt = new EngineHunt();
            var reader = new EvidenceReader(hunt.Log);
            try
            {
                hunt.Files = reader.Resolve(paths);
                List<EvidenceFile> Of(EvidenceTable t) => hunt.Files.Where(f => f.Table == t).ToList();
                hunt.Operations.AddRange(OperationBuilder.Build(
                    reader.ReadAzureActivity(Of(EvidenceTable.AzureActivity), r => OperationBuilder.IsRelevant(r, mode)), mode));
                var fileEvents = reader.ReadDeviceFileEvents(Of(EvidenceTable.DeviceFileEvents), e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList();
                var deviceEvents = reader.ReadDeviceEvents(Of(EvidenceTable.DeviceEvents), e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList();
                var processEvents = mode == CompatibilityMode.None
                    ? reader.ReadDeviceProcessEvents(Of(EvidenceTable.DeviceProcessEvents), e => ScriptExecutionCorrelator.IsRelevant(e, mode)).ToList()
                    : new List<Model.DeviceProcessEventRecord>();
                hunt.Executions.AddRange(ScriptExecutionCorrelator.Correlate(hunt.Operations, fileEvents, deviceEvents, processEvents, mode));
                hunt.Unique.AddRange(UniqueScriptFinder.Find(hunt.Executions, mode));
            }
            catch (EvidenceException ex)
            {
                hunt.Error = ex;
            }
            hunt.Statistics = reader.Statistics;
            return hunt;
        }

        /// <summary>Every file's Read == Used + Filtered + Rejected, and Rejected equals the row errors logged for it, each naming it and its line.</summary>
        public void AssertAccounting()
        {
            foreach (var s in Statistics)
            {
                Assert.True(s.Read == s.Used + s.Filtered + s.Rejected, $"{s}: read != used + filtered + rejected");
                var errors = Log.Rejected.Where(e => e.Source == s.File).ToList();
                Assert.Equal(s.Rejected, errors.Count);
                foreach (var e in errors)
                {
                    Assert.True(e.Line > 0, $"{e}: no line");
                    Assert.Contains(s.File, e.ToString());
                    Assert.Contains($"line {e.Line}", e.ToString());
                }
            }
        }

        public static string Utc(DateTime t)
        {
            Assert.Equal(DateTimeKind.Utc, t.Kind);
            return t.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", CultureInfo.InvariantCulture);
        }

        public static string Key(RunCommandOperation o) => $"{o.VirtualMachineName}|{o.CorrelationId}|{Utc(o.StartTime)}|{Utc(o.EndTime)}";

        public static string Key(string vm, string file, long? size, IEnumerable<string> commands) =>
            $"{vm}|{file}|{size}|{string.Join(",", commands.Select(c => c.ToUpperInvariant()).OrderBy(c => c, StringComparer.Ordinal))}";

        public static string Key(RunCommandScriptExecution x) => Key(x.VirtualMachineName, x.PowershellFileName, x.PowershellFileSize, x.PowershellScriptCommands);

        public static string Key(UniqueRunCommandScript u) => Key(u.VirtualMachineName, u.PowershellFileName, u.PowershellFileSize, u.PowershellScriptCommands);

        /// <summary>The rule's uniqueness on the expected executions: those whose command set no other execution has.</summary>
        public static IReadOnlyList<string> UniqueOf(IReadOnlyList<string> executionKeys)
        {
            string Commands(string key) => key.Split('|', 4)[3];
            return executionKeys.Where(k => executionKeys.Count(o => Commands(o) == Commands(k)) == 1).ToList();
        }

        public static void AssertSameSet(IEnumerable<string> expected, IEnumerable<string> actual, string what)
        {
            var e = expected.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var a = actual.OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.True(e.SequenceEqual(a), $"{what}\n  expected: [{string.Join("; ", e)}]\n  actual:   [{string.Join("; ", a)}]");
        }

        /// <summary>Runs <paramref name="body"/> with a time limit: a reader that loops forever fails the test instead of hanging it.</summary>
        public static T Within<T>(TimeSpan limit, Func<T> body, string what)
        {
            var task = Task.Run(body);
            if (!task.Wait(limit)) Assert.Fail($"{what}: no result within {limit.TotalSeconds:F0} s (a hang)");
            return task.GetAwaiter().GetResult();
        }
    }
}
