using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace RunCommandHunt.Host
{
    /// <summary>
    /// rch: runs PowerShell (hosted) with the built RunCommandHunt module imported and prints the output as pwsh would,
    /// through the module's format views. For machines with only the .NET SDK.
    /// Usage: rch [--module DIR] [--verbose] [--width N] "&lt;PowerShell&gt;" | path/to/script.ps1
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string? moduleDir = Environment.GetEnvironmentVariable("RCH_MODULE");
            bool verbose = false;
            int width = Console.IsOutputRedirected ? 200 : Math.Max(80, SafeWindowWidth());
            string? script = null;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--module": moduleDir = args[++i]; break;
                    case "--verbose": verbose = true; break;
                    case "--width": width = int.Parse(args[++i]); break;
                    case "-h":
                    case "--help":
                        Console.WriteLine("rch [--module DIR] [--verbose] [--width N] \"<PowerShell>\" | script.ps1");
                        return 0;
                    default: script = script == null ? args[i] : script + " " + args[i]; break;
                }
            }
            if (string.IsNullOrWhiteSpace(script))
            {
                Console.Error.WriteLine("rch: give a PowerShell command or a .ps1 file. Example: rch \"Get-RunCommandOperation -Path samples\"");
                return 2;
            }
            if (script.EndsWith(".ps1", StringComparison.OrdinalIgnoreCase) && File.Exists(script))
                script = File.ReadAllText(script);

            moduleDir ??= typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "ModuleDir")?.Value;
            var manifest = Path.Combine(moduleDir ?? ".", "RunCommandHunt.psd1");
            if (!File.Exists(manifest))
            {
                Console.Error.WriteLine($"rch: the module is not built at {manifest}. Run: dotnet build -c Release");
                return 2;
            }

            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { manifest });
            using var runspace = RunspaceFactory.CreateRunspace(iss);
            runspace.Open();
            using var ps = PowerShell.Create();
            ps.Runspace = runspace;
            if (verbose) ps.AddScript("$VerbosePreference = 'Continue'").Invoke();
            ps.Commands.Clear();

            bool failed = false;
            ps.Streams.Error.DataAdded += (s, e) => { failed = true; Console.Error.WriteLine("ERROR: " + ps.Streams.Error[e.Index]); };
            ps.Streams.Warning.DataAdded += (s, e) => Console.Error.WriteLine("WARNING: " + ps.Streams.Warning[e.Index].Message);
            ps.Streams.Verbose.DataAdded += (s, e) => Console.Error.WriteLine("VERBOSE: " + ps.Streams.Verbose[e.Index].Message);

            ps.AddScript(script).AddCommand("Out-String").AddParameter("Stream").AddParameter("Width", width);
            Console.CancelKeyPress += (s, e) => { e.Cancel = true; ps.BeginStop(null, null); };
            try
            {
                var output = new PSDataCollection<PSObject>();
                output.DataAdded += (s, e) => Console.WriteLine(output[e.Index]?.ToString());
                ps.Invoke<PSObject, PSObject>(null, output, new PSInvocationSettings());
            }
            catch (PipelineStoppedException)
            {
                Console.Error.WriteLine("rch: stopped.");
                return 130;
            }
            catch (RuntimeException ex)
            {
                Console.Error.WriteLine("ERROR: " + ex.ErrorRecord);
                return 1;
            }
            return failed ? 1 : 0;
        }

        private static int SafeWindowWidth()
        {
            try { return Console.WindowWidth; } catch (IOException) { return 160; }
        }
    }
}
