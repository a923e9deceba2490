using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Xunit;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>The hunts the live tests run, and the fields by which a live result must equal the offline one.</summary>
    internal static class Hunts
    {
        /// <summary>The samples' day, [00:00, 24:00) UTC: one query chunk covers it.</summary>
        public static readonly DateTime Start = SampleTable.SampleDay;
        public static readonly DateTime End = SampleTable.SampleDay.AddDays(1);

        /// <summary>The offline hunt over the CSV samples in $d.</summary>
        public const string OfflineScript =
            "Get-RunCommandOperation -Path $d -Compatibility $mode | " +
            "Get-RunCommandScriptExecution -Path $d -Compatibility $mode | " +
            "Tee-Object -Variable xs | Find-UniqueRunCommandScript -Compatibility $mode";

        /// <summary>The same hunt against a Log Analytics workspace ($ws at $la, token $token, range $start..$end).</summary>
        public const string LiveScript =
            "Get-RunCommandOperation -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end -Compatibility $mode | " +
            "Get-RunCommandScriptExecution -WorkspaceId $ws -Endpoint $la -AccessToken $token -StartTime $start -EndTime $end -Compatibility $mode | " +
            "Tee-Object -Variable xs | Find-UniqueRunCommandScript -Compatibility $mode";

        public sealed class Outcome
        {
            public List<string> Executions = new List<string>();
            public List<string> Uniques = new List<string>();
            public LiveHost.Result Result = new LiveHost.Result();
        }

        /// <summary>Runs a hunt script that leaves the executions in $xs and outputs the unique scripts.</summary>
        public static Outcome Run(LiveHost host, string script, IDictionary<string, object?> variables, TimeSpan shift)
        {
            host.Set("xs", null);
            var result = host.Run(script, variables);
            Assert.True(result.Terminating == null && result.Errors.Count == 0, "The hunt failed:\n" + result.Problems);
            var executions = host.Run("$xs");
            return new Outcome
            {
                Result = result,
                Executions = executions.Objects.Select(x => Execution(x, shift)).ToList(),
                Uniques = result.Objects.Select(u => Unique(u, shift)).ToList(),
            };
        }

        /// <summary>The offline hunt over the samples, its times moved by <paramref name="shift"/>.</summary>
        public static Outcome Offline(LiveHost host, string mode, TimeSpan shift)
        {
            var outcome = Run(host, OfflineScript, new Dictionary<string, object?> { ["d"] = ModuleHost.Samples, ["mode"] = mode }, shift);
            // A comparison with nothing in it would prove nothing.
            Assert.NotEmpty(outcome.Executions);
            Assert.NotEmpty(outcome.Uniques);
            return outcome;
        }

        public static Dictionary<string, object?> LiveVariables(FakeHuntService la, string token, string mode, DateTime? start = null, DateTime? end = null) =>
            new Dictionary<string, object?>
            {
                ["ws"] = la.WorkspaceId, ["la"] = la.Endpoint, ["token"] = token, ["mode"] = mode,
                ["start"] = start ?? Start, ["end"] = end ?? End,
            };

        /// <summary>What identifies an execution and what the hunt computed for it.</summary>
        public static string Execution(Obj x, TimeSpan shift) => string.Join(" | ",
            x.CorrelationId, x.VirtualMachineName, x.DeviceName, x.S("PowershellFileName"),
            "[" + string.Join(",", x.PowershellScriptCommands) + "]", x.ScriptFingerprintHash, Size(x.PowershellFileSize),
            Time(x.StartTime, shift), Time(x.EndTime, shift), Time(x.D("PowershellFileCreatedTimestamp"), shift),
            Time(x.PowershellExecStart, shift), Time(x.D("PowershellExecEnd"), shift),
            x.Caller, x.CallerIpAddress, x.S("InitiatingProcessCommandLine"));

        public static string Unique(Obj u, TimeSpan shift) => string.Join(" | ",
            u.CorrelationId, u.VirtualMachineName, u.S("PowershellFileName"),
            "[" + string.Join(",", u.PowershellScriptCommands) + "]", u.ScriptFingerprintHash, Size(u.PowershellFileSize),
            Time(u.timestamp, shift), Time(u.EndTime, shift), u["HashCount"]?.ToString() ?? "",
            u.Prevalence.ToString("R", CultureInfo.InvariantCulture), u.Caller, u.CallerName, u.CallerIpAddress);

        private static string Size(long? size) => size?.ToString(CultureInfo.InvariantCulture) ?? "null";

        private static string Time(DateTime t, TimeSpan shift) =>
            SampleTable.Format((t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)) + shift);
    }
}
