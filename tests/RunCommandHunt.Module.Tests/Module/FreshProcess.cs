using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>
    /// Runs a PowerShell script in a new process. Assembly load contexts and what the default context has loaded are
    /// per process, and the module's context is made once per process, so "another Azure.Core was loaded before the
    /// module" can only be tested in a process where nothing has loaded the module yet.
    /// The child is this test assembly itself: `dotnet exec` runs its (empty, generated) Main, and the module
    /// initializer below runs the script first when the environment names one.
    /// </summary>
    internal static class FreshProcess
    {
        private const string ScriptVariable = "RCH_TEST_FRESH_PROCESS_SCRIPT";
        private const string ResultMarker = "RCH-RESULT ";

        public sealed class Result
        {
            public int ExitCode;
            public Dictionary<string, string> Values = new Dictionary<string, string>(StringComparer.Ordinal);
            public string Output = "";
        }

        /// <summary>
        /// Runs <paramref name="script"/> in a fresh process, in a runspace without the module imported. Each output
        /// object that is a hashtable becomes name=value pairs of the result.
        /// </summary>
        public static Result Run(string script, TimeSpan timeout)
        {
            var scriptFile = Path.Combine(Path.GetTempPath(), "rch-fresh-" + Guid.NewGuid().ToString("N") + ".ps1");
            File.WriteAllText(scriptFile, script);
            try
            {
                var assembly = typeof(FreshProcess).Assembly.Location;
                var psi = new ProcessStartInfo(DotnetHost())
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                psi.ArgumentList.Add("exec");
                psi.ArgumentList.Add(assembly);
                psi.Environment[ScriptVariable] = scriptFile;
                using var process = Process.Start(psi)!;
                var stderr = process.StandardError.ReadToEndAsync();
                var stdout = process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit((int)timeout.TotalMilliseconds))
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException($"The fresh PowerShell process did not finish in {timeout}. Output so far:\n{stdout}");
                }
                var result = new Result { ExitCode = process.ExitCode, Output = stdout + stderr.Result };
                foreach (var line in stdout.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith(ResultMarker, StringComparison.Ordinal)))
                {
                    var pair = line.Substring(ResultMarker.Length);
                    int eq = pair.IndexOf('=');
                    result.Values[pair.Substring(0, eq)] = pair.Substring(eq + 1);
                }
                return result;
            }
            finally
            {
                File.Delete(scriptFile);
            }
        }

        private static string DotnetHost()
        {
            var current = Environment.ProcessPath;
            if (current != null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return current;
            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        }

#pragma warning disable CA2255 // A test-only entry point: acts only in the child process that FreshProcess.Run starts.
        [ModuleInitializer]
#pragma warning restore CA2255
        internal static void RunScriptWhenAsked()
        {
            var scriptFile = Environment.GetEnvironmentVariable(ScriptVariable);
            if (string.IsNullOrEmpty(scriptFile)) return;
            int code = 0;
            try
            {
                using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
                runspace.Open();
                using var ps = PowerShell.Create();
                ps.Runspace = runspace;
                ps.AddScript(File.ReadAllText(scriptFile));
                foreach (var o in ps.Invoke())
                {
                    if (o?.BaseObject is System.Collections.IDictionary d)
                        foreach (System.Collections.DictionaryEntry e in d) Console.WriteLine($"{ResultMarker}{e.Key}={e.Value}");
                    else Console.WriteLine(o);
                }
                foreach (var e in ps.Streams.Error) { Console.WriteLine("ERROR: " + e); code = 1; }
            }
            catch (Exception ex)
            {
                Console.WriteLine("TERMINATING: " + ex);
                code = 2;
            }
            Console.Out.Flush();
            Environment.Exit(code);
        }
    }
}
