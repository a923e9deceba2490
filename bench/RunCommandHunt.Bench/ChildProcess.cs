using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

namespace RunCommandHunt.Bench
{
    /// <summary>A child process failed; the message carries its exit code and the end of its error output.</summary>
    public sealed class ChildFailedException : Exception
    {
        public ChildFailedException(string message) : base(message) { }
    }

    /// <summary>Starts child processes and measures their wall time from start to exit.</summary>
    public static class ChildProcess
    {
        /// <summary>The dotnet host that runs framework-dependent dlls (the generator, the profiler).</summary>
        public static string DotnetHost
        {
            get
            {
                var self = Environment.ProcessPath ?? "";
                if (IsMuxer(self)) return self;
                // <dotnet root>/shared/Microsoft.NETCore.App/<version>/ -> <dotnet root>/dotnet
                var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
                var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
                return File.Exists(candidate) ? candidate : "dotnet";
            }
        }

        private static bool IsMuxer(string path) =>
            string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase);

        /// <summary>This benchmark again, with the given arguments (how each measured run gets a fresh process).</summary>
        public static (string File, List<string> Args) Self(IEnumerable<string> args)
        {
            var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
            var list = new List<string>();
            if (IsMuxer(self)) list.Add(typeof(ChildProcess).Assembly.Location);
            list.AddRange(args);
            return (self, list);
        }

        public static (string File, List<string> Args) Dll(string dll, IEnumerable<string> args)
        {
            if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is missing; build bench/RunCommandHunt.Bench again (it builds its tools).", dll);
            var list = new List<string> { dll };
            list.AddRange(args);
            return (DotnetHost, list);
        }

        /// <summary>Runs to completion; returns wall seconds. Output goes to <paramref name="log"/>; a non-zero exit throws.</summary>
        public static double Run((string File, List<string> Args) command, string log, Action<string>? onLine = null)
        {
            var psi = new ProcessStartInfo(command.File)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var a in command.Args) psi.ArgumentList.Add(a);
            // A child must not inherit the parent's build-time settings of `dotnet run`.
            psi.Environment.Remove("MSBUILDNOINPROCNODE");

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(log))!);
            using var writer = new StreamWriter(log, append: false, new UTF8Encoding(false)) { AutoFlush = true };
            var gate = new object();
            var tail = new Queue<string>();
            void Take(string? line, string stream)
            {
                if (line == null) return;
                lock (gate)
                {
                    writer.WriteLine(stream + line);
                    tail.Enqueue(line);
                    if (tail.Count > 20) tail.Dequeue();
                }
                onLine?.Invoke(line);
            }

            var clock = Stopwatch.StartNew();
            using var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => Take(e.Data, "");
            p.ErrorDataReceived += (_, e) => Take(e.Data, "stderr: ");
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            p.WaitForExit();
            double wall = clock.Elapsed.TotalSeconds;
            if (p.ExitCode != 0)
                throw new ChildFailedException($"{Path.GetFileName(command.File)} {string.Join(" ", command.Args)} exited with {p.ExitCode} (log {log}):\n  " +
                                               string.Join("\n  ", tail));
            return wall;
        }
    }
}
