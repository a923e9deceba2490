using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using RunCommandHunt.Engine.Tests.Hostile;
using Xunit;

namespace RunCommandHunt.Module.Tests.Hostile
{
    /// <summary>One runspace with the built module imported, shared by the hostile cases (importing is the slow part).</summary>
    public sealed class HostileRunspace : IDisposable
    {
        public Runspace Runspace { get; }

        public HostileRunspace()
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { ModuleHost.Manifest });
            Runspace = RunspaceFactory.CreateRunspace(iss);
            Runspace.Open();
        }

        public void Dispose() => Runspace.Dispose();
    }

    /// <summary>
    /// The corpus of bad evidence files through the built module: Get-RunCommandOperation -Path D |
    /// Get-RunCommandScriptExecution -Path D | Find-UniqueRunCommandScript, in the three behaviours, on a folder holding
    /// the bad file and good files of the other tables. Each run ends in the expected result or an Evidence* error record
    /// naming the file (and line); never HuntFailed or another exception, never a hang; the verbose accounting line
    /// adds up and its rejected count is the number of row errors for that file.
    /// </summary>
    public sealed class HostileModuleTests : IClassFixture<HostileRunspace>
    {
        private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
        private static readonly string[] Modes = { "None", "HuntingQuery", "AnalyticRule" };
        private static readonly Regex Accounting = new Regex(@"^(?<file>.+): (?<table>\w+), (?<format>.+): read (?<read>\d+), used (?<used>\d+), filtered (?<filtered>\d+), rejected (?<rejected>\d+)");

        private const string Pipeline = @"
$ops = $null; $xs = $null; $u = $null
$u = Get-RunCommandOperation -Path $d -Compatibility $m -Verbose -OutVariable ops |
    Get-RunCommandScriptExecution -Path $d -Compatibility $m -Verbose -OutVariable xs |
    Find-UniqueRunCommandScript -Compatibility $m -Verbose
[pscustomobject]@{ Operations = @($ops); Executions = @($xs); Unique = @($u) }";

        private readonly HostileRunspace _host;

        public HostileModuleTests(HostileRunspace host) { _host = host; }

        public static IEnumerable<object[]> CasesInEveryMode() =>
            HostileCorpus.Cases.Where(c => c.Generate?.As != HostileCorpus.PermissionCase)
                .SelectMany(c => Modes.Select(m => new object[] { c.Name, m }));

        [Theory]
        [MemberData(nameof(CasesInEveryMode))]
        public void Pipeline_WhenFolderHoldsHostileFile_ShouldGiveTheExpectedResultOrAnEvidenceErrorNamingIt(string name, string mode)
        {
            var c = HostileCorpus.Case(name);
            using var dir = new TempDir();
            string path = HostileCorpus.Materialize(c, dir.Path, withGoodFiles: true);
            Check(c, path, mode, Run(dir.Path, mode, $"{name} ({mode})"));
        }

        /// <summary>Mode 000 cannot be tested as root (permission checks do not apply) or on Windows; it is skipped there.</summary>
        [PermissionsApplyFact]
        public void Pipeline_WhenFileCannotBeOpened_ShouldSkipItWithAWarningNamingIt()
        {
            var c = HostileCorpus.Cases.Single(x => x.Generate?.As == HostileCorpus.PermissionCase);
            using var dir = new TempDir();
            string path = HostileCorpus.Materialize(c, dir.Path, withGoodFiles: true);
            try
            {
                foreach (var mode in Modes) Check(c, path, mode, Run(dir.Path, mode, $"{c.Name} ({mode})"));
            }
            finally
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        private sealed class Outcome
        {
            public List<PSObject> Operations = new List<PSObject>();
            public List<PSObject> Executions = new List<PSObject>();
            public List<PSObject> Unique = new List<PSObject>();
            public List<ErrorRecord> Errors = new List<ErrorRecord>();
            public List<string> Warnings = new List<string>();
            public List<string> Verbose = new List<string>();
            public Exception? Terminating;
        }

        private Outcome Run(string folder, string mode, string what)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _host.Runspace;
            ps.AddScript("$ErrorActionPreference = 'Continue'; $d = $args[0]; $m = $args[1]" + Pipeline).AddArgument(folder).AddArgument(mode);
            var outcome = new Outcome();
            var async = ps.BeginInvoke();
            if (!async.AsyncWaitHandle.WaitOne(Limit))
            {
                ps.Stop();
                Assert.Fail($"{what}: no result within {Limit.TotalSeconds:F0} s (a hang)");
            }
            try
            {
                var output = ps.EndInvoke(async);
                if (output.Count > 0)
                {
                    var last = output[output.Count - 1];
                    outcome.Operations = Items(last, "Operations");
                    outcome.Executions = Items(last, "Executions");
                    outcome.Unique = Items(last, "Unique");
                }
            }
            catch (RuntimeException ex)
            {
                outcome.Terminating = ex;
            }
            outcome.Errors = ps.Streams.Error.ToList();
            outcome.Warnings = ps.Streams.Warning.Select(w => w.Message).ToList();
            outcome.Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList();
            return outcome;
        }

        private static List<PSObject> Items(PSObject result, string name)
        {
            object value = result.Properties[name].Value;
            if (value is PSObject wrapped) value = wrapped.BaseObject;
            return ((object[])value).Where(o => o != null).Select(o => o as PSObject ?? new PSObject(o)).ToList();
        }

        private static void Check(HostileCase c, string path, string mode, Outcome o)
        {
            string what = $"{c.Name} ({mode})";
            string full = Path.GetFullPath(path);
            string Text(ErrorRecord e) => e.ErrorDetails?.Message ?? e.Exception?.Message ?? e.ToString();
            string Errors() => string.Join("\n    ", o.Errors.Select(e => $"{e.FullyQualifiedErrorId}: {Text(e)}"));

            // Never a crash: every error is an Evidence* record (a refused row or file).
            Assert.True(o.Terminating == null, $"{what}: the script stopped: {o.Terminating}");
            foreach (var e in o.Errors)
                Assert.True(e.FullyQualifiedErrorId.StartsWith("Evidence", StringComparison.Ordinal),
                    $"{what}: not an evidence error (a crash?): {e.FullyQualifiedErrorId}: {Text(e)}\n{e.Exception}");

            // The accounting line of every file read adds up; rejected = that file's row errors, each naming file and line.
            var lines = o.Verbose.Select(v => Accounting.Match(v)).Where(m => m.Success).ToList();
            foreach (var m in lines)
            {
                long N(string g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
                Assert.True(N("read") == N("used") + N("filtered") + N("rejected"), $"{what}: {m.Value}");
                var rowErrors = o.Errors.Where(e => e.FullyQualifiedErrorId.StartsWith("EvidenceRowRejected", StringComparison.Ordinal)
                    && Equals(e.TargetObject, m.Groups["file"].Value)).ToList();
                Assert.True(N("rejected") == rowErrors.Count, $"{what}: {m.Value}, but {rowErrors.Count} row error(s):\n    {Errors()}");
                foreach (var e in rowErrors)
                {
                    Assert.Contains(m.Groups["file"].Value, Text(e));
                    Assert.Matches(@", line [1-9][0-9]*", Text(e));
                }
            }

            switch (c.Folder)
            {
                case "error":
                {
                    var ids = c.Explicit!.Error!.Split('|').Select(r => "Evidence" + r + ",").ToList();
                    string id = string.Join(" or ", ids.Select(i => i.TrimEnd(',')));
                    var error = o.Errors.FirstOrDefault(e => ids.Any(i => e.FullyQualifiedErrorId.StartsWith(i, StringComparison.Ordinal)));
                    Assert.True(error != null, $"{what}: expected an {id} error naming the file; errors:\n    {Errors()}\n  warnings: {string.Join(" | ", o.Warnings)}");
                    Assert.Contains(full, Text(error!));
                    // A missing column is about the header: the text names the columns missing and found instead of a line.
                    if (c.Explicit.Column != null) Assert.Contains(c.Explicit.Column, Text(error!));
                    else if (c.Explicit.Line > 0) Assert.Contains($"line {c.Explicit.Line}", Text(error!));
                    return;
                }
                case "skipped":
                    // Left out and named in a warning or verbose message (or a non-terminating error record), the hunt going on.
                    foreach (var e in o.Errors.Where(e => !e.FullyQualifiedErrorId.StartsWith("EvidenceRowRejected", StringComparison.Ordinal)))
                        Assert.True(Text(e).Contains(full), $"{what}: an error about another file: {e.FullyQualifiedErrorId}: {Text(e)}");
                    Assert.True(o.Warnings.Concat(o.Verbose).Concat(o.Errors.Select(Text)).Any(m => m.Contains(full)), $"{what}: the skipped file is named nowhere");
                    Assert.DoesNotContain(lines, m => m.Groups["file"].Value == full);
                    break;
                default:
                    Assert.True(o.Errors.All(e => e.FullyQualifiedErrorId.StartsWith("EvidenceRowRejected", StringComparison.Ordinal)),
                        $"{what}: the hunt stopped:\n    {Errors()}");
                    if (c.Read != null)
                    {
                        var m = lines.SingleOrDefault(x => x.Groups["file"].Value == full);
                        Assert.True(m != null, $"{what}: no accounting line for the file in:\n    {string.Join("\n    ", o.Verbose)}");
                        Assert.Equal(c.Read.Value.ToString(CultureInfo.InvariantCulture), m!.Groups["read"].Value);
                        foreach (var r in c.Rejected)
                            Assert.Contains(o.Errors, e => Text(e).Contains(full) && Text(e).Contains($", line {r.Line}")
                                && (r.Column == null || Text(e).Contains($"column {r.Column}")) && (r.Value == null || Text(e).Contains($"'{r.Value}'")));
                        var allowed = c.Rejected.Select(r => r.Line).Concat(c.MayReject).Select(l => $"{full}, line {l}").ToList();
                        foreach (var e in o.Errors.Where(e => Equals(e.TargetObject, full)))
                            Assert.True(allowed.Any(a => Text(e).StartsWith(a + ":", StringComparison.Ordinal) || Text(e).StartsWith(a + ",", StringComparison.Ordinal)),
                                $"{what}: unexpected row error: {Text(e)}");
                    }
                    if (c.Warning != null)
                        Assert.True(o.Warnings.Any(w => w.Contains(full) && w.Contains(c.Warning)),
                            $"{what}: no warning naming the file and '{c.Warning}'; warnings: [{string.Join(" | ", o.Warnings)}]");
                    break;
            }

            var operations = HostileCorpus.Expected(c.Operations, mode, HostileCorpus.BaselineOperations);
            var executions = HostileCorpus.Expected(c.Executions, mode, HostileCorpus.BaselineExecutions);
            SameSet(operations, o.Operations.Select(x => OperationKey(new Obj(x))), $"{what}: operations");
            SameSet(executions, o.Executions.Select(x => ExecutionKey(new Obj(x))), $"{what}: executions");
            SameSet(UniqueOf(executions), o.Unique.Select(x => ExecutionKey(new Obj(x))), $"{what}: unique scripts");
        }

        private static string Utc(DateTime t)
        {
            Assert.Equal(DateTimeKind.Utc, t.Kind);
            return t.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", CultureInfo.InvariantCulture);
        }

        private static string OperationKey(Obj o) => $"{o.VirtualMachineName}|{o.CorrelationId}|{Utc(o.StartTime)}|{Utc(o.EndTime)}";

        private static string ExecutionKey(Obj x) =>
            $"{x.VirtualMachineName}|{x.S("PowershellFileName")}|{x.PowershellFileSize}|" +
            string.Join(",", x.PowershellScriptCommands.Select(s => s.ToUpperInvariant()).OrderBy(s => s, StringComparer.Ordinal));

        private static IReadOnlyList<string> UniqueOf(IReadOnlyList<string> keys)
        {
            string Commands(string key) => key.Split('|', 4)[3];
            return keys.Where(k => keys.Count(o => Commands(o) == Commands(k)) == 1).ToList();
        }

        private static void SameSet(IEnumerable<string> expected, IEnumerable<string> actual, string what)
        {
            var e = expected.OrderBy(k => k, StringComparer.Ordinal).ToList();
            var a = actual.OrderBy(k => k, StringComparer.Ordinal).ToList();
            Assert.True(e.SequenceEqual(a), $"{what}\n  expected: [{string.Join("; ", e)}]\n  actual:   [{string.Join("; ", a)}]");
        }
    }

    /// <summary>A fact that runs only where a file of mode 000 cannot be opened (not as root, not on Windows).</summary>
    public sealed class PermissionsApplyFactAttribute : FactAttribute
    {
        public PermissionsApplyFactAttribute()
        {
            if (!HostileCorpus.PermissionsApply())
                Skip = "Permission checks do not apply here (root, or Windows): a file of mode 000 can still be read.";
        }
    }
}
