using System;
using System.IO;
using System.Runtime.InteropServices;
using Xunit;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>
    /// The ReadyToRun images the build puts in dependencies/&lt;os-arch&gt;/ (src/RunCommandHunt/Module.targets): on
    /// PowerShell 7 the engine is loaded from there, it hunts exactly as the IL copy does, and an image that cannot be
    /// loaded leaves the module on the IL copy. Each hunt runs in a fresh process, since the module's load context is
    /// made once per process.
    /// </summary>
    public sealed class ReadyToRunTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

        /// <summary>The folder name the build and IsolatedLoadContext give this platform.</summary>
        private static string Platform
        {
            get
            {
                var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "other";
                return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            }
        }

        private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

        /// <summary>The samples hunt, then where the engine came from.</summary>
        private static FreshProcess.Result Hunt(string moduleDir) => FreshProcess.Run($@"
Import-Module {Quote(Path.Combine(moduleDir, "RunCommandHunt.psd1"))} -ErrorAction Stop
$x = @(Get-RunCommandOperation -Path {Quote(ModuleHost.Samples)} | Get-RunCommandScriptExecution -Path {Quote(ModuleHost.Samples)} | Find-UniqueRunCommandScript)
$engine = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object {{ $_.GetName().Name -eq 'RunCommandHunt.Engine' }}
@{{
    Findings = @($x | ForEach-Object {{ '{{0}}/{{1}}/{{2}}' -f $_.VirtualMachineName, $_.PowershellFileName, $_.ScriptFingerprintHash }} | Sort-Object) -join ','
    Engines = @($engine).Count
    EngineLocation = $engine.Location
    EngineContext = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($engine).Name
}}", Timeout);

        private static string CopyModule(string to)
        {
            var from = ModuleHost.ModuleDir;
            foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
                File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
            return to;
        }

        private static void AssertSamePath(string expected, string actual) => Assert.Equal(Path.GetFullPath(expected), Path.GetFullPath(actual));

        [Fact]
        public void Hunt_WhenTheBuildMadeAnImageForThisPlatform_ShouldRunTheImageAndFindWhatTheILFinds()
        {
            var image = Path.Combine(ModuleHost.ModuleDir, "dependencies", Platform, "RunCommandHunt.Engine.dll");
            var il = Path.Combine(ModuleHost.ModuleDir, "dependencies", "RunCommandHunt.Engine.dll");
            var r = Hunt(ModuleHost.ModuleDir);
            Assert.True(r.ExitCode == 0, r.Output);
            Assert.Equal("1", r.Values["Engines"]);
            Assert.Equal("RunCommandHunt", r.Values["EngineContext"]);
            // Without an image (the build could not restore Crossgen2) the IL copy is used; both are valid modules.
            AssertSamePath(File.Exists(image) ? image : il, r.Values["EngineLocation"]);
            Assert.NotEqual("", r.Values["Findings"]);
            if (!File.Exists(image)) return;

            using var copy = new TempDir();
            var ilOnly = CopyModule(Path.Combine(copy.Path, "RunCommandHunt"));
            Directory.Delete(Path.Combine(ilOnly, "dependencies", Platform), recursive: true);
            var reference = Hunt(ilOnly);
            Assert.True(reference.ExitCode == 0, reference.Output);
            AssertSamePath(Path.Combine(ilOnly, "dependencies", "RunCommandHunt.Engine.dll"), reference.Values["EngineLocation"]);
            Assert.Equal(reference.Values["Findings"], r.Values["Findings"]);
        }

        [Theory]
        [InlineData("not an assembly")]
        [InlineData("another build")]
        public void Import_WhenTheImageIsNotOfThisEngine_ShouldHuntWithTheILCopy(string image)
        {
            using var copy = new TempDir();
            var module = CopyModule(Path.Combine(copy.Path, "RunCommandHunt"));
            var imageDir = Path.Combine(module, "dependencies", Platform);
            Directory.CreateDirectory(imageDir);
            var imagePath = Path.Combine(imageDir, "RunCommandHunt.Engine.dll");
            if (image == "not an assembly") File.WriteAllText(imagePath, image);
            // A valid assembly compiled from other IL (what a module folder copied over an older one can hold).
            else File.Copy(Path.Combine(module, "dependencies", "Azure.Core.dll"), imagePath, overwrite: true);
            var r = Hunt(module);
            Assert.True(r.ExitCode == 0, r.Output);
            Assert.Equal("1", r.Values["Engines"]);
            AssertSamePath(Path.Combine(module, "dependencies", "RunCommandHunt.Engine.dll"), r.Values["EngineLocation"]);
            Assert.NotEqual("", r.Values["Findings"]);
        }
    }
}
