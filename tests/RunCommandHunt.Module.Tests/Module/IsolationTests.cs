using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>
    /// The module beside another version of Azure.Core (what Az.Accounts brings): each keeps its own, in either order.
    /// The other version is Azure.Core 1.44.1, downloaded by the test project (PackageDownload).
    /// </summary>
    public sealed class IsolationTests : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
        private readonly TempDir _evidence = new TempDir();

        public IsolationTests() => Evidence.WriteTwoVmCase(_evidence);

        public void Dispose() => _evidence.Dispose();

        private static string OtherAzureCore
        {
            get
            {
                var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                var path = Path.Combine(root, "azure.core", "1.44.1", "lib", "netstandard2.0", "Azure.Core.dll");
                Assert.True(File.Exists(path), $"{path} is missing: restore the test project (it downloads Azure.Core 1.44.1).");
                return path;
            }
        }

        private static Version ModulesAzureCore =>
            AssemblyName.GetAssemblyName(Path.Combine(ModuleHost.ModuleDir, "dependencies", "Azure.Core.dll")).Version!;

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

        /// <summary>Hunts, then reports what the engine's types bound to and what the session sees.</summary>
        private string HuntAndReport(string label) => $@"
$x = @(Get-RunCommandOperation -Path {Quote(_evidence.Path)} | Get-RunCommandScriptExecution -Path {Quote(_evidence.Path)})
$engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'RunCommandHunt.Engine' }}
# GetTypes binds every engine type, among them the credentials that derive from Azure.Core's TokenCredential.
$bound = @($engine.GetTypes() | ForEach-Object {{ $_.BaseType }} | Where-Object {{ $_ -and $_.Assembly.GetName().Name -eq 'Azure.Core' }} |
    ForEach-Object {{ $_.Assembly }} | Sort-Object FullName -Unique)
@{{
    '{label}Executions' = $x.Count
    '{label}Fingerprints' = @($x | ForEach-Object {{ $_.ScriptFingerprintHash.Substring(0, 12) }}) -join ','
    '{label}EngineContext' = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).Name
    '{label}EngineAzureCore' = @($bound | ForEach-Object {{ '{{0}}@{{1}}' -f $_.GetName().Version, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }}) -join ','
    '{label}SessionAzureCore' = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'Azure.Core' -and [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name -eq 'Default' }} | ForEach-Object {{ $_.GetName().Version }}) -join ','
}}";

        private void AssertModuleHuntedWithItsOwnAzureCore(FreshProcess.Result r, string label)
        {
            Assert.True(r.ExitCode == 0, r.Output);
            Assert.Equal("2", r.Values[label + "Executions"]);
            Assert.Equal("05c3ab7a05dc,98812de2c0e9", r.Values[label + "Fingerprints"]);
            Assert.Equal("RunCommandHunt", r.Values[label + "EngineContext"]);
            Assert.Equal($"{ModulesAzureCore}@RunCommandHunt", r.Values[label + "EngineAzureCore"]);
        }

        [Fact]
        public void Import_WhenAnotherAzureCoreWasLoadedFirst_ShouldHuntWithTheModulesOwn()
        {
            var r = FreshProcess.Run($@"
$other = [Reflection.Assembly]::LoadFrom({Quote(OtherAzureCore)})
Import-Module {Quote(ModuleHost.Manifest)} -ErrorAction Stop
{HuntAndReport("")}
@{{ TypeName = [Azure.Core.AccessToken].Assembly.GetName().Version; Other = $other.GetName().Version }}", Timeout);
            AssertModuleHuntedWithItsOwnAzureCore(r, "");
            // The session keeps the version it loaded: type names resolve to it, not to the module's copy.
            Assert.Equal("1.44.1.0", r.Values["SessionAzureCore"]);
            Assert.Equal("1.44.1.0", r.Values["TypeName"]);
        }

        [Fact]
        public void Import_WhenAnotherAzureCoreIsLoadedAfterwards_ShouldKeepBothWorking()
        {
            var r = FreshProcess.Run($@"
Import-Module {Quote(ModuleHost.Manifest)} -ErrorAction Stop
{HuntAndReport("Before")}
@{{ Leaked = [bool]('Azure.Core.AccessToken' -as [type]) }}
$other = [Reflection.Assembly]::LoadFrom({Quote(OtherAzureCore)})
$token = [Azure.Core.AccessToken]::new('t', [DateTimeOffset]::UtcNow.AddHours(1))
{HuntAndReport("After")}
@{{ TokenFrom = $token.GetType().Assembly.GetName().Version }}", Timeout);
            AssertModuleHuntedWithItsOwnAzureCore(r, "Before");
            AssertModuleHuntedWithItsOwnAzureCore(r, "After");
            // The module's Azure.Core is not the session's: no type name resolves to it...
            Assert.Equal("", r.Values["BeforeSessionAzureCore"]);
            Assert.Equal("False", r.Values["Leaked"]);
            // ...so a version loaded later is the one scripts get.
            Assert.Equal("1.44.1.0", r.Values["AfterSessionAzureCore"]);
            Assert.Equal("1.44.1.0", r.Values["TokenFrom"]);
        }

        [Fact]
        public void Import_WhenTheSameVersionIsInTheSessionFirst_ShouldStillUseTheModulesCopy()
        {
            // A default context that already holds the very version asked for would otherwise hand it out.
            var sameVersion = Path.Combine(ModuleHost.ModuleDir, "dependencies", "Azure.Core.dll");
            var copy = Path.Combine(_evidence.Path, "..", "rch-az-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(copy);
            try
            {
                File.Copy(sameVersion, Path.Combine(copy, "Azure.Core.dll"));
                var r = FreshProcess.Run($@"
$null = [Reflection.Assembly]::LoadFrom({Quote(Path.Combine(copy, "Azure.Core.dll"))})
Import-Module {Quote(ModuleHost.Manifest)} -ErrorAction Stop
{HuntAndReport("")}", Timeout);
                AssertModuleHuntedWithItsOwnAzureCore(r, "");
                Assert.Equal(ModulesAzureCore.ToString(), r.Values["SessionAzureCore"]);
            }
            finally
            {
                Directory.Delete(copy, true);
            }
        }

        [Fact]
        public void Import_WhenLoaded_ShouldIsolateDependenciesAndLeaveWhatThePlatformShipsToIt()
        {
            // A 1 MiB AzureActivity export (the index's threshold): the two-VM case's rows after ~12,000 unrelated ones.
            using var big = new TempDir();
            var rows = File.ReadAllLines(Path.Combine(_evidence.Path, "AzureActivity.csv"));
            var filler = rows.Single(l => l.EndsWith(",c0", StringComparison.Ordinal));
            big.Write("AzureActivity.csv", string.Join("\n", new[] { rows[0] }.Concat(Enumerable.Repeat(filler, 12_000)).Concat(rows.Skip(1))) + "\n");
            Assert.True(new FileInfo(Path.Combine(big.Path, "AzureActivity.csv")).Length >= 1 << 20);
            using var host = new ModuleHost();
            var r = host.Run(@"
$small = @(Get-RunCommandOperation -Path $d | ForEach-Object CorrelationId) -join ','
$large = @(Get-RunCommandOperation -Path $b | ForEach-Object CorrelationId) -join ','
$mine = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name -eq 'RunCommandHunt' })
[pscustomobject]@{
    Names = @($mine | ForEach-Object { $_.GetName().Name } | Sort-Object) -join ','
    Outside = @($mine | Where-Object { -not $_.Location.StartsWith((Join-Path $m 'dependencies')) } | ForEach-Object Location) -join ','
    Json = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([System.Text.Json.JsonDocument].Assembly).Name
    Model = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext([RunCommandHunt.RunCommandOperation].Assembly).Name
    Small = $small
    Large = $large
}", new Dictionary<string, object?> { ["d"] = _evidence.Path, ["b"] = big.Path, ["m"] = ModuleHost.ModuleDir });
            Assert.Null(r.Terminating);
            var o = r.Output.Single();
            var names = o.Properties["Names"].Value.ToString()!.Split(',');
            Assert.Contains("RunCommandHunt.Engine", names);
            Assert.Contains("Azure.Core", names);
            Assert.Contains("Azure.Identity", names);
            // The engine's vector kernels (net8.0): asked for by the engine when it read the 1 MiB CSV, loaded beside
            // it; the rows they found are the small file's.
            Assert.Contains("RunCommandHunt.Engine.Vectorized", names);
            Assert.NotEqual("", o.Properties["Small"].Value);
            Assert.Equal(o.Properties["Small"].Value, o.Properties["Large"].Value);
            // dependencies/ also holds what the build copied for Windows PowerShell; PowerShell 7 ships those itself.
            Assert.DoesNotContain("System.Management.Automation", names);
            Assert.DoesNotContain("System.Text.Json", names);
            Assert.DoesNotContain("System.Memory", names);
            Assert.Equal("", o.Properties["Outside"].Value);
            Assert.Equal("Default", o.Properties["Json"].Value);
            Assert.Equal("Default", o.Properties["Model"].Value);
        }

        [Fact]
        public void RemoveModule_WhenAnotherRunspaceStillUsesIt_ShouldLeaveThatRunspaceHunting()
        {
            using var first = new ModuleHost();
            using var second = new ModuleHost();
            var vars = new Dictionary<string, object?> { ["d"] = _evidence.Path };
            Assert.Equal(2, second.Run("Get-RunCommandOperation -Path $d", vars).Output.Count);
            var removed = first.Run("Remove-Module RunCommandHunt; @(Get-Module RunCommandHunt).Count");
            Assert.Null(removed.Terminating);
            Assert.Equal(0, (int)removed.Output.Single().BaseObject);
            var r = second.Run("Get-RunCommandOperation -Path $d | Get-RunCommandScriptExecution -Path $d | Find-UniqueRunCommandScript", vars);
            Assert.Null(r.Terminating);
            Assert.Equal(2, r.Output.Count);
        }
    }
}
