using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using System.Web;
using RunCommandHunt.Live.Tests.Support;
using RunCommandHunt.Module.Tests.Module;
using Xunit;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>
    /// The recipes in examples/ work as written: the daily hunt and the runbook run in the hosted engine against a fake
    /// workspace on 127.0.0.1; the Task Scheduler registration runs against stand-ins for the ScheduledTasks cmdlets.
    /// </summary>
    public sealed class ExamplesTests : IDisposable
    {
        private const string Token = "la-token-for-examples-tests";
        /// <summary>The bundled samples' one unique script (truth.json uniqueScripts[0]).</summary>
        private const string UniqueFingerprint = "5fd8ee1e658f2eedf0d796a41c0586d753726bbbd1041aaff7b1a74b605a24f2";

        private static readonly string Examples = Path.Combine(ModuleHost.RepoRoot, "examples");
        private static readonly string DailyHunt = Path.Combine(Examples, "Invoke-DailyHunt.ps1");
        private static readonly string Runbook = Path.Combine(Examples, "RunCommandHunt-Runbook.ps1");
        private static readonly string Register = Path.Combine(Examples, "Register-DailyHunt.ps1");

        private readonly LiveHost _host = new LiveHost();
        private readonly TempDir _out = new TempDir();
        private readonly DateTime _now = DateTime.UtcNow;

        public void Dispose()
        {
            _host.Dispose();
            _out.Dispose();
        }

        /// <summary>The samples moved so their 07:30-14:30 lie 20 to 13 hours before now, minus <paramref name="daysBack"/> days.</summary>
        private IEnumerable<SampleTable> SamplesEndingBefore(int daysBack)
        {
            var shift = _now.AddHours(-20).AddDays(-daysBack) - SampleTable.SampleDay.AddHours(7.5);
            return SampleTable.LoadSamples().Select(t => t.Shifted(shift));
        }

        private static string Day(DateTime t) => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        [Theory]
        [InlineData("Invoke-DailyHunt.ps1")]
        [InlineData("RunCommandHunt-Runbook.ps1")]
        [InlineData("Register-DailyHunt.ps1")]
        public void Example_WhenParsed_ShouldHaveNoErrors(string name)
        {
            Parser.ParseFile(Path.Combine(Examples, name), out _, out var errors);

            Assert.Empty(errors.Select(e => $"{e.Extent.File}:{e.Extent.StartLineNumber}:{e.Extent.StartColumnNumber}: {e.Message}"));
        }

        [Fact]
        public void DailyHunt_WhenRunOnTwoSuccessiveDays_ShouldReportEachScriptOnlyTheFirstTime()
        {
            // The same estate on two days: yesterday's run sees every script for the first time, today's none.
            using var la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SamplesEndingBefore(1).Concat(SamplesEndingBefore(0)), Token);
            var offline = _host.Run("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d | ForEach-Object ScriptFingerprintHash",
                new Dictionary<string, object?> { ["d"] = ModuleHost.Samples });
            var fingerprints = offline.Output.Select(o => o.ToString()).ToList();
            var variables = new Dictionary<string, object?>
            {
                ["script"] = DailyHunt, ["ws"] = la.WorkspaceId, ["la"] = la.Endpoint, ["token"] = Token, ["out"] = _out.Path,
                ["yesterday"] = _now.AddDays(-1),
            };

            var first = _host.Run("& $script -WorkspaceId $ws -OutputFolder $out -Endpoint $la -AccessToken $token -EndTime $yesterday", variables);
            var second = _host.Run("& $script -WorkspaceId $ws -OutputFolder $out -Endpoint $la -AccessToken $token", variables);

            Assert.True(first.Errors.Count == 0 && first.Terminating == null, first.Problems);
            Assert.True(second.Errors.Count == 0 && second.Terminating == null, second.Problems);
            var day1 = new Obj(Assert.Single(first.Output));
            var day2 = new Obj(Assert.Single(second.Output));
            // Both days hold every execution; only the first reports them.
            Assert.Equal(fingerprints.Count, (int)day1["Executions"]!);
            Assert.Equal(fingerprints.Count, (int)day2["Executions"]!);
            Assert.Equal(fingerprints.Distinct().Count(), (int)day1["NewScripts"]!);
            Assert.Equal(0, (int)day2["NewScripts"]!);

            var alerts1 = File.ReadAllLines(Path.Combine(_out.Path, $"alerts-{Day(_now.AddDays(-1))}.jsonl"));
            Assert.Equal(fingerprints.Distinct().OrderBy(f => f),
                alerts1.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("UniqueScripts")[0].GetProperty("ScriptFingerprintHash").GetString()).OrderBy(f => f));
            Assert.Empty(File.ReadAllLines(Path.Combine(_out.Path, $"alerts-{Day(_now)}.jsonl")));
            Assert.Contains("VM01", File.ReadAllText(Path.Combine(_out.Path, $"report-{Day(_now.AddDays(-1))}.html")));
            Assert.True(File.Exists(Path.Combine(_out.Path, $"report-{Day(_now)}.html")));
            Assert.True(File.Exists(Path.Combine(_out.Path, "baseline.json")));
            // Each run asked its own day.
            var activity = la.Requests.Where(r => la.TableOf(r) == "AzureActivity").Select(la.WindowOf).ToList();
            Assert.Equal(2, activity.Count);
            Assert.Equal(TimeSpan.FromDays(1), activity[0].End - activity[0].Start);
            Assert.Equal(activity[0].End, _now.AddDays(-1), TimeSpan.FromSeconds(1));
            Assert.True(activity[1].End >= _now);
        }

        [Fact]
        public void DailyHunt_WhenTheWorkspaceRefuses_ShouldFailAndLeaveTheReasonInTheOutputFolder()
        {
            using var la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SamplesEndingBefore(0), Token)
            {
                Fault = (r, ct) => Task.FromResult<FakeResponse?>(FakeHuntService.Error(403, "InsufficientAccessError", "No access to the workspace.")),
            };

            var r = _host.RunCatching("& $script -WorkspaceId $ws -OutputFolder $out -Endpoint $la -AccessToken $token -EndTime $end",
                new Dictionary<string, object?>
                {
                    ["script"] = DailyHunt, ["ws"] = la.WorkspaceId, ["la"] = la.Endpoint, ["token"] = Token, ["out"] = _out.Path, ["end"] = _now,
                });

            Assert.NotNull(r.Caught);
            Assert.StartsWith("LiveQueryForbidden", r.Caught!.FullyQualifiedErrorId);
            var reason = File.ReadAllText(Path.Combine(_out.Path, $"error-{Day(_now)}.txt"));
            Assert.Contains("InsufficientAccessError", reason);
            Assert.False(File.Exists(Path.Combine(_out.Path, $"alerts-{Day(_now)}.jsonl")));
        }

        [Fact]
        public void Runbook_WhenGivenAToken_ShouldHuntTheLastDayAndWriteTheUniqueScriptsAlert()
        {
            using var la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SamplesEndingBefore(0), Token);

            var r = _host.Run("& $runbook -WorkspaceId $ws -SignIn AccessToken -AccessToken $token -Endpoint $la -OutputFolder $out",
                new Dictionary<string, object?>
                {
                    ["runbook"] = Runbook, ["ws"] = la.WorkspaceId.ToString(), ["la"] = la.Endpoint.AbsoluteUri, ["token"] = Token, ["out"] = _out.Path,
                });

            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.Problems);
            var line = Assert.Single(r.Output).ToString();
            var alert = JsonDocument.Parse(line).RootElement;
            var row = Assert.Single(alert.GetProperty("UniqueScripts").EnumerateArray());
            Assert.Equal(UniqueFingerprint, row.GetProperty("ScriptFingerprintHash").GetString());
            Assert.Equal("VM01", row.GetProperty("VirtualMachineName").GetString());
            Assert.Equal(new[] { line }, File.ReadAllLines(Path.Combine(_out.Path, $"alerts-{Day(DateTime.UtcNow)}.jsonl")));
            Assert.All(la.Requests, q => Assert.Equal("Bearer " + Token, q.Header("Authorization")));
        }

        [Fact]
        public void Runbook_WhenSignedInAsTheManagedIdentity_ShouldGetItsTokenFromTheIdentityEndpoint()
        {
            // Azure Automation's sandbox: IDENTITY_ENDPOINT and IDENTITY_HEADER (App Service protocol, api-version
            // 2019-08-01). A fresh process, so these variables never reach this one.
            const string identityHeader = "automation-identity-header-value";
            const string userClientId = "8a1c1c0e-0000-4000-8000-0000000000aa";
            var systemToken = "mi-system-" + Guid.NewGuid().ToString("N");
            var userToken = "mi-user-" + Guid.NewGuid().ToString("N");
            using var identity = new FakeHttpServer(r =>
            {
                var query = HttpUtility.ParseQueryString(r.Path.Contains('?') ? r.Path.Substring(r.Path.IndexOf('?')) : "");
                if (r.Method != "GET" || !r.Path.StartsWith("/msi/token?", StringComparison.Ordinal) || query["api-version"] != "2019-08-01"
                    || r.Header("X-IDENTITY-HEADER") != identityHeader)
                    return FakeResponse.Json(400, "{\"error\":\"invalid_request\",\"error_description\":\"not the App Service protocol\"}");
                var user = query["client_id"];
                var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                return FakeResponse.Json(200, JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["access_token"] = user == null ? systemToken : userToken,
                    ["expires_on"] = expires,
                    ["resource"] = query["resource"] ?? "",
                    ["token_type"] = "Bearer",
                    ["client_id"] = user ?? "00000000-0000-4000-8000-0000000000bb",
                }));
            });
            using var la = new FakeHuntService(FakeHuntService.Api.LogAnalytics, SamplesEndingBefore(0), systemToken);
            la.Tokens.Add(userToken);

            var result = FreshProcess.Run($@"
$env:IDENTITY_ENDPOINT = {Quote(identity.BaseUri.AbsoluteUri + "msi/token")}
$env:IDENTITY_HEADER = {Quote(identityHeader)}
Import-Module {Quote(ModuleHost.Manifest)}
$system = @(& {Quote(Runbook)} -WorkspaceId {Quote(la.WorkspaceId.ToString())} -Endpoint {Quote(la.Endpoint.AbsoluteUri)} -OutputFolder {Quote(_out.Path)})
$user = @(& {Quote(Runbook)} -WorkspaceId {Quote(la.WorkspaceId.ToString())} -Endpoint {Quote(la.Endpoint.AbsoluteUri)} -OutputFolder {Quote(_out.Path)} -ClientId {Quote(userClientId)})
@{{ System = $system.Count; SystemHash = ($system[0] | ConvertFrom-Json).UniqueScripts[0].ScriptFingerprintHash; User = $user.Count; UserHash = ($user[0] | ConvertFrom-Json).UniqueScripts[0].ScriptFingerprintHash }}
", TimeSpan.FromSeconds(60));

            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Equal("1", result.Values["System"]);
            Assert.Equal(UniqueFingerprint, result.Values["SystemHash"]);
            Assert.Equal("1", result.Values["User"]);
            Assert.Equal(UniqueFingerprint, result.Values["UserHash"]);
            var asked = identity.Requests.Select(r => HttpUtility.ParseQueryString(r.Path.Substring(r.Path.IndexOf('?')))).ToList();
            Assert.All(asked, q => Assert.Equal("https://api.loganalytics.io", q["resource"]));
            Assert.Contains(asked, q => q["client_id"] == null);
            Assert.Contains(asked, q => q["client_id"] == userClientId);
            var bearers = la.Requests.Select(r => r.Header("Authorization")).Distinct().OrderBy(b => b).ToList();
            Assert.Equal(new[] { "Bearer " + systemToken, "Bearer " + userToken }.OrderBy(b => b), bearers);
        }

        /// <summary>Stand-ins for the ScheduledTasks cmdlets (Windows only) with their real parameter names; each records its arguments.</summary>
        private const string ScheduledTaskMocks = @"
$global:Scheduled = @{}
function global:Save-ScheduledCall([string] $Name, $Bound) {
    $h = @{}
    foreach ($kv in $Bound.GetEnumerator()) { $h[$kv.Key] = $kv.Value }
    $global:Scheduled[$Name] = $h
    [pscustomobject]@{ MockOf = $Name; Parameters = $h }
}
function global:New-ScheduledTaskAction {
    [CmdletBinding()] param([Parameter(Mandatory)][string] $Execute, [string] $Argument, [string] $WorkingDirectory, [string] $Id)
    Save-ScheduledCall 'New-ScheduledTaskAction' $PSBoundParameters
}
function global:New-ScheduledTaskTrigger {
    [CmdletBinding()] param([switch] $Daily, [switch] $Once, [switch] $Weekly, [switch] $AtStartup, [switch] $AtLogOn,
        [datetime] $At, [int] $DaysInterval, [timespan] $RandomDelay)
    Save-ScheduledCall 'New-ScheduledTaskTrigger' $PSBoundParameters
}
function global:New-ScheduledTaskSettingsSet {
    [CmdletBinding()] param([switch] $StartWhenAvailable, [ValidateSet('Parallel', 'Queue', 'IgnoreNew', 'StopExisting')][string] $MultipleInstances,
        [timespan] $ExecutionTimeLimit, [int] $RestartCount, [timespan] $RestartInterval, [switch] $AllowStartIfOnBatteries,
        [switch] $DontStopIfGoingOnBatteries, [switch] $RunOnlyIfNetworkAvailable, [switch] $WakeToRun, [switch] $Hidden)
    Save-ScheduledCall 'New-ScheduledTaskSettingsSet' $PSBoundParameters
}
function global:New-ScheduledTaskPrincipal {
    [CmdletBinding()] param([string] $UserId, [string] $GroupId, [string] $Id,
        [ValidateSet('None', 'Password', 'S4U', 'Interactive', 'Group', 'ServiceAccount', 'InteractiveOrPassword')][string] $LogonType,
        [ValidateSet('Limited', 'Highest')][string] $RunLevel)
    Save-ScheduledCall 'New-ScheduledTaskPrincipal' $PSBoundParameters
}
function global:Register-ScheduledTask {
    [CmdletBinding()] param([Parameter(Mandatory)][string] $TaskName, [string] $TaskPath, $Action, $Trigger, $Settings, $Principal,
        [string] $Description, [switch] $Force, [string] $User, [string] $Password)
    Save-ScheduledCall 'Register-ScheduledTask' $PSBoundParameters
}
";

        [Theory]
        [InlineData("Certificate")]
        [InlineData("ManagedIdentity")]
        public void RegisterDailyHunt_WhenDotSourced_ShouldScheduleTheDailyHuntWithTheGivenArguments(string signIn)
        {
            const string ws = "0b4c5a4e-0000-4000-8000-000000000001";
            const string folder = "hunt output/RunCommandHunt";
            var sign = signIn == "Certificate"
                ? "-TenantId contoso.onmicrosoft.com -ClientId 6f1d0000-0000-4000-8000-000000000002 -CertificateThumbprint 3A1F00000000000000000000000000000000ABCD"
                : "-ManagedIdentity -ClientId 6f1d0000-0000-4000-8000-000000000003";
            _host.Run(ScheduledTaskMocks);

            var r = _host.Run($". $register -WorkspaceId {ws} -OutputFolder '{folder}' -At 02:30 {sign}",
                new Dictionary<string, object?> { ["register"] = Register });

            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.Problems);
            string Get(string call, string parameter) => _host.Run($"$global:Scheduled['{call}']['{parameter}']").Output.Single().ToString();
            var expectedFolder = _host.Run($"$ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath('{folder}')").Output.Single().ToString();
            var expected = new List<string>
            {
                "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", DailyHunt,
                "-WorkspaceId", ws, "-OutputFolder", expectedFolder,
            };
            expected.AddRange(signIn == "Certificate"
                ? new[] { "-TenantId", "contoso.onmicrosoft.com", "-ClientId", "6f1d0000-0000-4000-8000-000000000002", "-CertificateThumbprint", "3A1F00000000000000000000000000000000ABCD" }
                : new[] { "-ManagedIdentity", "-ClientId", "6f1d0000-0000-4000-8000-000000000003" });

            var arguments = CommandLine.Split(Get("New-ScheduledTaskAction", "Argument"));

            Assert.Equal(expected, arguments);
            Assert.EndsWith("pwsh.exe", Get("New-ScheduledTaskAction", "Execute"));
            // What pwsh -File will bind: the names belong to one parameter set of the daily hunt and fill its mandatory ones.
            var names = arguments.Skip(6).Where(a => a.StartsWith("-", StringComparison.Ordinal)).Select(a => a.Substring(1)).ToList();
            var set = _host.Run("(Get-Command $daily).ParameterSets | Where-Object Name -EQ $set | ForEach-Object { $_.Parameters | ForEach-Object { '{0}={1}' -f $_.Name, $_.IsMandatory } }",
                new Dictionary<string, object?> { ["daily"] = DailyHunt, ["set"] = signIn }).Output.Select(o => o.ToString()).ToList();
            Assert.All(names, n => Assert.Contains(set, p => p.StartsWith(n + "=", StringComparison.Ordinal)));
            Assert.All(set.Where(p => p.EndsWith("=True", StringComparison.Ordinal)), p => Assert.Contains(p.Split('=')[0], names));

            Assert.Equal("True", Get("New-ScheduledTaskTrigger", "Daily"));
            Assert.Equal(new TimeSpan(2, 30, 0), ((DateTime)_host.Run("$global:Scheduled['New-ScheduledTaskTrigger']['At']").Output.Single().BaseObject).TimeOfDay);
            Assert.Equal("True", Get("New-ScheduledTaskSettingsSet", "StartWhenAvailable"));
            Assert.Equal("IgnoreNew", Get("New-ScheduledTaskSettingsSet", "MultipleInstances"));
            Assert.Equal("SYSTEM", Get("New-ScheduledTaskPrincipal", "UserId"));
            Assert.Equal("ServiceAccount", Get("New-ScheduledTaskPrincipal", "LogonType"));
            Assert.Equal("\\RunCommandHunt\\", Get("Register-ScheduledTask", "TaskPath"));
            Assert.Equal("True", Get("Register-ScheduledTask", "Force"));
            Assert.Equal("New-ScheduledTaskAction", _host.Run("$global:Scheduled['Register-ScheduledTask']['Action'].MockOf").Output.Single().ToString());
        }

        [Fact]
        public void RegisterDailyHunt_WhenWhatIf_ShouldRegisterNothing()
        {
            _host.Run(ScheduledTaskMocks);

            var r = _host.Run(". $register -WorkspaceId 0b4c5a4e-0000-4000-8000-000000000001 -OutputFolder out -ManagedIdentity -WhatIf",
                new Dictionary<string, object?> { ["register"] = Register });

            Assert.True(r.Errors.Count == 0 && r.Terminating == null, r.Problems);
            Assert.Equal("False", _host.Run("$global:Scheduled.ContainsKey('Register-ScheduledTask')").Output.Single().ToString());
        }

        [Fact]
        public void RegisterDailyHunt_WhenAnArgumentHasSpacesQuotesOrTrailingBackslashes_ShouldQuoteItSoWindowsReadsItBack()
        {
            // The script's own quoting function, taken from its syntax tree and run alone.
            var ast = Parser.ParseFile(Register, out _, out _);
            var function = (FunctionDefinitionAst)ast.Find(a => a is FunctionDefinitionAst f && f.Name == "ConvertTo-CommandLineArgument", true)!;
            _host.Run(function.Extent.Text);
            var values = new[] { "plain", "D:\\Hunt\\", "C:\\Program Files\\RunCommandHunt\\", "say \"hi\"", "back\\\"slash", "", "tab\there", "ends\\\\" };

            var line = _host.Run("($values | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' '",
                new Dictionary<string, object?> { ["values"] = values }).Output.Single().ToString();

            Assert.Equal(values, CommandLine.Split(line));
        }

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";
    }

    /// <summary>How a Windows program (pwsh.exe) splits its command line: CommandLineToArgvW's rules.</summary>
    internal static class CommandLine
    {
        public static List<string> Split(string line)
        {
            var args = new List<string>();
            var current = new StringBuilder();
            bool quoted = false, any = false;
            int i = 0;
            while (i < line.Length)
            {
                char c = line[i];
                if (c == '\\')
                {
                    int n = 0;
                    while (i < line.Length && line[i] == '\\') { n++; i++; }
                    if (i < line.Length && line[i] == '"')
                    {
                        // 2n backslashes and a quote: n backslashes, the quote delimits; 2n+1: n backslashes and a literal quote.
                        current.Append('\\', n / 2);
                        if (n % 2 == 1) { current.Append('"'); i++; }
                    }
                    else current.Append('\\', n);
                    any = true;
                    continue;
                }
                if (c == '"')
                {
                    if (quoted && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i += 2; continue; }
                    quoted = !quoted; any = true; i++;
                    continue;
                }
                if ((c == ' ' || c == '\t') && !quoted)
                {
                    if (any) { args.Add(current.ToString()); current.Clear(); any = false; }
                    i++;
                    continue;
                }
                current.Append(c); any = true; i++;
            }
            if (any) args.Add(current.ToString());
            return args;
        }
    }
}
