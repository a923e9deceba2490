using System.Collections.Generic;
using System.Linq;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Fingerprinting;
using RunCommandHunt.Engine.Tests.Oracle;

namespace RunCommandHunt.Engine.Tests.Compatibility
{
    /// <summary>The engine behind <see cref="ISeedRunner"/>: OperationBuilder -> ScriptExecutionCorrelator
    /// (-> UniqueScriptFinder for the rule), in the seed's compatibility mode, mapped to the seed's columns.</summary>
    public sealed class EngineRunner : ISeedRunner
    {
        public IReadOnlyList<OperationRow> Operations(Evidence evidence, CompatibilityMode mode)
        {
            return OperationBuilder.Build(evidence.Activity, mode).Select(o => new OperationRow
            {
                StartTime = o.StartTime,
                EndTime = o.EndTime,
                Subscription = o.Subscription,
                VirtualMachineName = o.VirtualMachineName,
                CorrelationId = o.CorrelationId,
                Caller = o.Caller,
                CallerIpAddress = o.CallerIpAddress,
            }).ToList();
        }

        public IReadOnlyList<HuntingQueryRow> HuntingQuery(Evidence evidence)
        {
            return Executions(evidence, CompatibilityMode.HuntingQuery).Select(x => new HuntingQueryRow
            {
                StartTime = x.StartTime,
                EndTime = x.EndTime,
                PowershellFileCreatedTimestamp = x.PowershellFileCreatedTimestamp,
                PowershellExecStart = x.PowershellExecStart,
                PowershellExecEnd = x.PowershellExecEnd,
                PowershellFileName = x.PowershellFileName,
                PowershellScriptCommands = x.PowershellScriptCommands,
                Caller = x.Caller,
                CallerIpAddress = x.CallerIpAddress,
                InitiatingProcessCommandLine = x.InitiatingProcessCommandLine,
                PowershellFileSize = x.PowershellFileSize,
                VirtualMachineName = x.VirtualMachineName,
                ScriptFingerprintHash = x.ScriptFingerprintHash,
            }).ToList();
        }

        public IReadOnlyList<AnalyticRuleRow> AnalyticRule(Evidence evidence)
        {
            var executions = Executions(evidence, CompatibilityMode.AnalyticRule);
            return UniqueScriptFinder.Find(executions, CompatibilityMode.AnalyticRule).Select(u => new AnalyticRuleRow
            {
                timestamp = u.timestamp,
                StartTime = u.StartTime,
                EndTime = u.EndTime,
                PowershellFileName = u.PowershellFileName,
                VirtualMachineName = u.VirtualMachineName,
                Caller = u.Caller,
                CallerName = u.CallerName,
                CallerUPNSuffix = u.CallerUPNSuffix,
                CallerIpAddress = u.CallerIpAddress,
                PowershellScriptCommands = u.PowershellScriptCommands,
                PowershellFileSize = u.PowershellFileSize,
                ScriptFingerprintHash = u.ScriptFingerprintHash,
                Prevalence = u.Prevalence,
                Scope = u.Scope,
            }).ToList();
        }

        public string CommandsJson(IReadOnlyList<string> commands) => ScriptFingerprint.ToKustoJson(commands);

        public string CommandsHash(IReadOnlyList<string> commands) => ScriptFingerprint.Sha256Hex(ScriptFingerprint.ToKustoJson(commands));

        private static List<RunCommandScriptExecution> Executions(Evidence evidence, CompatibilityMode mode)
        {
            var operations = OperationBuilder.Build(evidence.Activity, mode).ToList();
            return ScriptExecutionCorrelator.Correlate(operations, evidence.FileEvents, evidence.DeviceEvents, mode).ToList();
        }
    }

    /// <summary>The quirk scenarios, with their hand-computed expectations, against the engine: the proof that
    /// -Compatibility HuntingQuery / AnalyticRule reproduce the seeds.</summary>
    public sealed class EngineQuirkTests : SeedQuirkTests
    {
        protected override ISeedRunner Runner { get; } = new EngineRunner();
    }
}
