using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace RunCommandHunt.Bench
{
    /// <summary>
    /// The measured children run in a ReadyToRun copy of this benchmark. pwsh ships PowerShell's assemblies
    /// precompiled; the Microsoft.PowerShell.SDK package's are IL only, so a host built from it (what `dotnet run`
    /// gives) spends its first Import-Module compiling PowerShell itself (~300 ms here) and would charge that to the
    /// module. The copy is published once per build of the benchmark (`dotnet publish -p:PublishReadyToRun=true`, the
    /// SDK's Crossgen2) into OUT/host/; when that fails, or with --il-host, the children run in this build as it is.
    /// </summary>
    internal static class PrecompiledHost
    {
        public static string? Ensure(BenchOptions options, string workDir, Action<string> say)
        {
            if (options.IlHost) return null;
            var self = typeof(PrecompiledHost).Assembly;
            string rid = RuntimeInformation.RuntimeIdentifier;
            string dir = Path.Combine(options.OutDir, "host", rid + "-" + self.ManifestModule.ModuleVersionId.ToString("N"));
            string dll = Path.Combine(dir, "publish", Path.GetFileName(self.Location));
            string stamp = Path.Combine(dir, "published.stamp");
            if (File.Exists(stamp) && File.Exists(dll)) return dll;

            string project = Path.Combine(BuildInfo.RepoRoot, "bench", "RunCommandHunt.Bench", "RunCommandHunt.Bench.csproj");
            say($"host: publishing a ReadyToRun copy of the benchmark for the measured processes (once per build) into {dir} ...");
            var args = new List<string>
            {
                "publish", project, "-c", "Release", "-r", rid, "--self-contained", "false", "-p:PublishReadyToRun=true",
                // The children get every path as an argument: the copy builds none of the tools.
                "-p:BenchHostOnly=true", "--artifacts-path", Path.Combine(dir, "build"), "-o", Path.Combine(dir, "publish"), "-nologo",
            };
            try
            {
                ChildProcess.Run((ChildProcess.DotnetHost, args), Path.Combine(workDir, "host-publish.log"));
            }
            catch (ChildFailedException ex)
            {
                say($"host: the ReadyToRun copy could not be published; the children run IL-only PowerShell (start-up figures include compiling PowerShell):\n  {ex.Message}");
                return null;
            }
            if (!File.Exists(dll))
            {
                say($"host: {dll} is missing after publishing; the children run IL-only PowerShell");
                return null;
            }
            File.WriteAllText(stamp, DateTime.UtcNow.ToString("O"));
            return dll;
        }
    }
}
