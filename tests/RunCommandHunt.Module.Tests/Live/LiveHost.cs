using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace RunCommandHunt.Module.Tests.Live
{
    /// <summary>
    /// The built module in the hosted engine, like <see cref="ModuleHost"/>, keeping every stream (debug, information
    /// and progress too) and able to start a pipeline that the test stops.
    /// </summary>
    internal sealed class LiveHost : IDisposable
    {
        private readonly Runspace _runspace;

        public LiveHost()
        {
            var iss = InitialSessionState.CreateDefault2();
            iss.ImportPSModule(new[] { ModuleHost.Manifest });
            _runspace = RunspaceFactory.CreateRunspace(iss);
            _runspace.Open();
        }

        public sealed class Result
        {
            public List<PSObject> Output = new List<PSObject>();
            public List<ErrorRecord> Errors = new List<ErrorRecord>();
            public List<WarningRecord> Warnings = new List<WarningRecord>();
            public List<VerboseRecord> Verbose = new List<VerboseRecord>();
            public List<DebugRecord> Debug = new List<DebugRecord>();
            public List<InformationRecord> Information = new List<InformationRecord>();
            public List<ProgressRecord> Progress = new List<ProgressRecord>();
            public RuntimeException? Terminating;
            /// <summary>The statement-terminating error (ThrowTerminatingError) that <see cref="RunCatching"/> caught.</summary>
            public ErrorRecord? Caught;

            public List<Obj> Objects => Output.Select(o => new Obj(o)).ToList();

            /// <summary>The terminating error's record, or the first error record.</summary>
            public ErrorRecord? FirstError => Terminating?.ErrorRecord ?? Errors.FirstOrDefault();

            /// <summary>A readable account of what went wrong, for assertion messages.</summary>
            public string Problems => string.Join("\n", Errors.Select(e => e.ToString()).Concat(new[] { Terminating?.ToString() ?? "" }));
        }

        public void Set(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

        public Result Run(string script, IDictionary<string, object?>? variables = null)
        {
            using var ps = Create(script, variables);
            var result = new Result();
            try
            {
                result.Output = ps.Invoke().ToList();
            }
            catch (RuntimeException ex)
            {
                result.Terminating = ex;
            }
            Collect(ps, result);
            return result;
        }

        /// <summary>
        /// Runs <paramref name="script"/> inside try/catch: a cmdlet's terminating error ends only its statement, so
        /// catching is what tells it from a non-terminating error record.
        /// </summary>
        public Result RunCatching(string script, IDictionary<string, object?>? variables = null)
        {
            Set("rchCaught", null);
            var result = Run("try {\n" + script + "\n} catch { $global:rchCaught = $_ }", variables);
            result.Caught = _runspace.SessionStateProxy.GetVariable("rchCaught") is ErrorRecord e ? e
                : (_runspace.SessionStateProxy.GetVariable("rchCaught") as PSObject)?.BaseObject as ErrorRecord;
            return result;
        }

        /// <summary>A pipeline on this host's runspace, not yet started (the caller invokes, stops and disposes it).</summary>
        public PowerShell Create(string script, IDictionary<string, object?>? variables = null)
        {
            if (variables != null)
                foreach (var kv in variables) Set(kv.Key, kv.Value);
            var ps = PowerShell.Create();
            ps.Runspace = _runspace;
            ps.AddScript(script);
            return ps;
        }

        public static void Collect(PowerShell ps, Result result)
        {
            result.Errors = ps.Streams.Error.ToList();
            result.Warnings = ps.Streams.Warning.ToList();
            result.Verbose = ps.Streams.Verbose.ToList();
            result.Debug = ps.Streams.Debug.ToList();
            result.Information = ps.Streams.Information.ToList();
            result.Progress = ps.Streams.Progress.ToList();
        }

        public void Dispose() => _runspace.Dispose();
    }
}
