using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace RunCommandHunt.Module.Tests
{
    /// <summary>The real PowerShell engine, hosted, with the assembled module folder imported.</summary>
    public sealed class ModuleHost : IDisposable
    {
        public static string ModuleDir { get; } = Metadata("ModuleDir");
        public static string RepoRoot { get; } = Metadata("RepoRoot");
        public static string Manifest => Path.Combine(ModuleDir, "RunCommandHunt.psd1");
        public static string Samples => Path.Combine(RepoRoot, "samples");

        private readonly Runspace _runspace;

        public ModuleHost(bool import = true)
        {
            var iss = InitialSessionState.CreateDefault2();
            if (import) iss.ImportPSModule(new[] { Manifest });
            _runspace = RunspaceFactory.CreateRunspace(iss);
            _runspace.Open();
        }

        public sealed class Result
        {
            public List<PSObject> Output = new List<PSObject>();
            public List<ErrorRecord> Errors = new List<ErrorRecord>();
            public List<string> Warnings = new List<string>();
            public List<string> Verbose = new List<string>();
            public RuntimeException? Terminating;
            public string AllText => string.Join("\n", Output.Select(o => o?.ToString()).Concat(Errors.Select(e => e.ToString()))
                .Concat(Warnings).Concat(Verbose).Concat(new[] { Terminating?.ToString() ?? "" }));
        }

        public Result Run(string script, IDictionary<string, object?>? variables = null)
        {
            using var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            if (variables != null)
                foreach (var kv in variables) _runspace.SessionStateProxy.SetVariable(kv.Key, kv.Value);
            ps.AddScript(script);
            var result = new Result();
            try
            {
                result.Output = ps.Invoke().ToList();
            }
            catch (RuntimeException ex)
            {
                result.Terminating = ex;
            }
            result.Errors = ps.Streams.Error.ToList();
            result.Warnings = ps.Streams.Warning.Select(w => w.Message).ToList();
            result.Verbose = ps.Streams.Verbose.Select(v => v.Message).ToList();
            return result;
        }

        public void Dispose() => _runspace.Dispose();

        private static string Metadata(string key) =>
            typeof(ModuleHost).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == key).Value!;
    }

    /// <summary>A temporary evidence folder, deleted after the test.</summary>
    public sealed class TempDir : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rch-" + Guid.NewGuid().ToString("N"));
        public TempDir() { Directory.CreateDirectory(Path); }
        public string Write(string name, string content)
        {
            var p = System.IO.Path.Combine(Path, name);
            File.WriteAllText(p, content);
            return p;
        }
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
