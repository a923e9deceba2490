using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace RunCommandHunt.Report.Tests.Reporting
{
    /// <summary>Runs headless Chromium: locates it, gives each run a fresh profile, and kills it if it hangs.</summary>
    internal static class Chromium
    {
        public const string InstallHint =
            "Chromium is required for the HTML report browser tests and was not found. Install it " +
            "(Debian/Ubuntu: 'apt-get update && apt-get install -y chromium'; CI's .ci/run does this) " +
            "or set RUNCOMMANDHUNT_CHROMIUM to a Chromium or Chrome executable.";

        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

        public static string? Locate()
        {
            var configured = Environment.GetEnvironmentVariable("RUNCOMMANDHUNT_CHROMIUM");
            if (!string.IsNullOrEmpty(configured)) return File.Exists(configured) ? configured : null;
            var names = OperatingSystem.IsWindows()
                ? new[] { "chrome.exe", "msedge.exe" }
                : new[] { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" };
            var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Concat(new[] { "/usr/bin", "/snap/bin" });
            foreach (var dir in dirs)
                foreach (var name in names)
                {
                    var candidate = Path.Combine(dir, name);
                    if (File.Exists(candidate)) return candidate;
                }
            return null;
        }

        /// <summary>The DOM after the page's scripts ran, as Chromium serialises it.</summary>
        public static string DumpDom(string exe, string htmlPath) =>
            Run(exe, new[] { "--dump-dom", new Uri(htmlPath).AbsoluteUri });

        public static void Screenshot(string exe, string htmlPath, string pngPath) =>
            Run(exe, new[] { "--screenshot=" + pngPath, "--window-size=1280,1600", "--hide-scrollbars", new Uri(htmlPath).AbsoluteUri });

        private static string Run(string exe, IEnumerable<string> args)
        {
            var profile = Directory.CreateTempSubdirectory("rch-chromium-").FullName;
            try
            {
                var psi = new ProcessStartInfo(exe)
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                foreach (var a in new[]
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--no-default-browser-check", "--user-data-dir=" + profile,
                }.Concat(args)) psi.ArgumentList.Add(a);

                using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + exe);
                Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
                if (!p.WaitForExit((int)Timeout.TotalMilliseconds))
                {
                    p.Kill(entireProcessTree: true);
                    throw new TimeoutException($"{exe} did not finish within {Timeout.TotalSeconds} s. stderr: {Tail(stderr)}");
                }
                p.WaitForExit();
                if (p.ExitCode != 0)
                    throw new InvalidOperationException($"{exe} exited with {p.ExitCode}. stderr: {Tail(stderr)}");
                return stdout.Result;
            }
            finally
            {
                try { Directory.Delete(profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }

        private static string Tail(Task<string> t)
        {
            var s = t.Wait(2000) ? t.Result : "";
            return s.Length > 2000 ? s.Substring(s.Length - 2000) : s;
        }
    }
}
