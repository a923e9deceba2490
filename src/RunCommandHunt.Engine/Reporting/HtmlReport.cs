using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>What one HTML report shows.</summary>
    public sealed class HtmlReportInput
    {
        public string Title { get; set; } = "RunCommandHunt report";
        /// <summary>Every operation, succeeded and failed: the timeline shows both.</summary>
        public IReadOnlyList<RunCommandOperation> Operations { get; set; } = Array.Empty<RunCommandOperation>();
        /// <summary>Script runs linked to their operations.</summary>
        public IReadOnlyList<RunCommandScriptExecution> Executions { get; set; } = Array.Empty<RunCommandScriptExecution>();
        /// <summary>The findings to highlight (rare scripts, or scripts new to the baseline).</summary>
        public IReadOnlyList<UniqueRunCommandScript> Findings { get; set; } = Array.Empty<UniqueRunCommandScript>();
        /// <summary>Heading of the findings section, e.g. "Unique scripts" or "Scripts never seen before".</summary>
        public string FindingsHeading { get; set; } = "Findings: unique scripts";
        /// <summary>Things the reader must know (a possibly truncated query, rows rejected...): shown at the top.</summary>
        public IReadOnlyList<string> Warnings { get; set; } = Array.Empty<string>();
        /// <summary>null = now.</summary>
        public DateTime? GeneratedAt { get; set; }
        public DateTime? QueryStartTime { get; set; }
        public DateTime? QueryEndTime { get; set; }
    }

    /// <summary>
    /// One self-contained HTML file: inline CSS and script, nothing fetched. Every value from evidence is HTML-escaped;
    /// the script reads and toggles the page only (textContent, classList, hidden) and a Content-Security-Policy that
    /// allows only that script by hash is defence in depth should an escape ever be missed.
    /// </summary>
    public static class HtmlReport
    {
        /// <summary>Renders and writes atomically (temp file + rename).</summary>
        public static void Write(string path, HtmlReportInput input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            AtomicFile.Write(path, s => WriteTo(s, input));
        }

        public static string Render(HtmlReportInput input)
        {
            using var ms = new MemoryStream();
            WriteTo(ms, input);
            return new UTF8Encoding(false).GetString(ms.ToArray());
        }

        public static void WriteTo(Stream stream, HtmlReportInput input)
        {
            if (input == null) throw new ArgumentNullException(nameof(input));
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 65536, leaveOpen: true) { NewLine = "\n" };
            new Renderer(w, input).Render();
        }

        /// <summary>The page's only script. It never builds markup from data.</summary>
        internal const string Script =
@"(function () {
  'use strict';
  var filter = document.getElementById('filter');
  var onlyFindings = document.getElementById('only-findings');
  var onlyFailed = document.getElementById('only-failed');
  var shown = document.getElementById('shown');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.ev'));
  var machines = Array.prototype.slice.call(document.querySelectorAll('section.vm'));
  function apply() {
    var q = filter.value.trim().toLowerCase();
    var n = 0;
    rows.forEach(function (r) {
      var ok = (q === '' || r.textContent.toLowerCase().indexOf(q) !== -1)
        && (!onlyFindings.checked || r.classList.contains('finding'))
        && (!onlyFailed.checked || r.classList.contains('failed'));
      r.hidden = !ok;
      if (ok) { n++; }
    });
    machines.forEach(function (m) { m.hidden = m.querySelector('tr.ev:not([hidden])') === null; });
    shown.textContent = n + ' of ' + rows.length + ' timeline rows shown';
  }
  filter.addEventListener('input', apply);
  onlyFindings.addEventListener('change', apply);
  onlyFailed.addEventListener('change', apply);
  apply();
  document.documentElement.setAttribute('data-ready', 'true');
})();";

        internal static readonly string ScriptHash = "sha256-" + Convert.ToBase64String(Sha256(Script));

        private static byte[] Sha256(string s)
        {
            using var sha = SHA256.Create();
            return sha.ComputeHash(Encoding.UTF8.GetBytes(s));
        }

        private const string Css = @"
:root { --fg:#1d2330; --muted:#5b6475; --line:#d8dce4; --bg:#f6f7f9; --ok:#2f6fb5; --bad:#c0392b; --hit:#e67e22; --hitbg:#fff4e6; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--fg); background: var(--bg); }
header { background: #1d2330; color: #fff; padding: 16px 24px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header p { margin: 2px 0; color: #c9cfdb; }
.summary { display: flex; flex-wrap: wrap; gap: 8px; list-style: none; padding: 0; margin: 10px 0 0; }
.summary li { background: #2c3446; border-radius: 6px; padding: 4px 10px; }
.summary li.hot { background: var(--hit); color: #1d2330; font-weight: 600; }
.summary li.bad { background: var(--bad); }
main { padding: 16px 24px; max-width: 1400px; }
h2 { font-size: 17px; margin: 24px 0 8px; }
.warnings { background: #fff8d6; border: 1px solid #e6cf6a; border-radius: 6px; padding: 8px 12px; }
.controls { display: flex; gap: 16px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
.controls input[type=search] { width: 320px; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; }
.finding-card { background: #fff; border: 1px solid var(--line); border-left: 5px solid var(--hit); border-radius: 6px; padding: 10px 14px; margin: 10px 0; }
.finding-card h3 { margin: 0 0 6px; font-size: 15px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
code, .mono { font-family: ui-monospace, 'Cascadia Mono', Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
ol.commands { margin: 6px 0 0; padding-left: 28px; }
section.vm { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; margin: 12px 0; }
section.vm h3 { margin: 0; font-size: 15px; }
section.vm .scope { color: var(--muted); font-size: 12px; overflow-wrap: anywhere; }
.strip { position: relative; height: 22px; margin: 8px 0; background: linear-gradient(#e9ecf1, #e9ecf1) center/100% 2px no-repeat; }
.mark { position: absolute; top: 5px; width: 12px; height: 12px; margin-left: -6px; border-radius: 50%; background: var(--ok); border: 2px solid #fff; }
.mark.script { background: #7f8c8d; border-radius: 2px; }
.mark.failed { background: var(--bad); }
.mark.finding { background: var(--hit); width: 16px; height: 16px; top: 3px; margin-left: -8px; }
table.events { width: 100%; border-collapse: collapse; }
table.events th, table.events td { text-align: left; vertical-align: top; padding: 4px 8px; border-top: 1px solid var(--line); }
table.events th { color: var(--muted); font-weight: 600; border-top: none; }
td.time { white-space: nowrap; }
tr.ev.failed td.status { color: var(--bad); font-weight: 600; }
tr.ev.finding { background: var(--hitbg); }
tr.ev.finding td:first-child { box-shadow: inset 4px 0 0 var(--hit); }
.tag { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 11.5px; background: #e9ecf1; }
.tag.hit { background: var(--hit); color: #1d2330; font-weight: 600; }
.muted { color: var(--muted); }
a { color: var(--ok); }
";

        private sealed class Event
        {
            public DateTime Time;
            public int Order;
            public RunCommandOperation? Operation;
            public RunCommandScriptExecution? Execution;
            public UniqueRunCommandScript? Finding;
            public int FindingNumber;
            public string RowId = "";
        }

        private sealed class Renderer
        {
            private readonly TextWriter _w;
            private readonly HtmlReportInput _in;

            public Renderer(TextWriter w, HtmlReportInput input) { _w = w; _in = input; }

            private void T(string? s) => HtmlText.Write(_w, s);
            private void Raw(string s) => _w.Write(s);

            public void Render()
            {
                var ops = (_in.Operations ?? Array.Empty<RunCommandOperation>()).Where(o => o != null).ToList();
                var execs = (_in.Executions ?? Array.Empty<RunCommandScriptExecution>()).Where(x => x != null).ToList();
                var findings = (_in.Findings ?? Array.Empty<UniqueRunCommandScript>()).Where(f => f != null)
                    .OrderBy(f => ReportDates.Utc(f.StartTime)).ThenBy(f => f.VirtualMachineName, StringComparer.OrdinalIgnoreCase).ToList();
                var generated = ReportDates.Utc(_in.GeneratedAt ?? DateTime.UtcNow);

                // Timeline events; a finding is matched to its script run, or shown on its own when the run is absent.
                var events = new List<Event>();
                foreach (var o in ops) events.Add(new Event { Time = ReportDates.Utc(o.StartTime), Order = 0, Operation = o });
                var execByKey = new Dictionary<string, Event>(StringComparer.Ordinal);
                foreach (var x in execs)
                {
                    var e = new Event { Time = ScriptTime(x.PowershellFileCreatedTimestamp, x.StartTime), Order = 1, Execution = x };
                    events.Add(e);
                    var k = Key(x.CorrelationId, x.VirtualMachineName, x.PowershellFileName, x.PowershellFileCreatedTimestamp);
                    if (!execByKey.ContainsKey(k)) execByKey[k] = e;
                }
                for (int i = 0; i < findings.Count; i++)
                {
                    var f = findings[i];
                    var k = Key(f.CorrelationId, f.VirtualMachineName, f.PowershellFileName, f.PowershellFileCreatedTimestamp);
                    if (execByKey.TryGetValue(k, out var e) && e.Finding == null) { e.Finding = f; e.FindingNumber = i + 1; }
                    else events.Add(new Event { Time = ScriptTime(f.PowershellFileCreatedTimestamp, f.StartTime), Order = 1, Finding = f, FindingNumber = i + 1 });
                }
                int rowNo = 0;
                foreach (var e in events) e.RowId = "ev-" + (++rowNo).ToString(CultureInfo.InvariantCulture);
                var findingRow = events.Where(e => e.Finding != null).ToDictionary(e => e.FindingNumber, e => e.RowId);

                var machines = events
                    .GroupBy(e => MachineOf(e), StringComparer.OrdinalIgnoreCase)
                    .Select(g => new { Name = g.Key, Events = g.OrderBy(e => e.Time).ThenBy(e => e.Order).ToList() })
                    .OrderByDescending(m => m.Events.Any(e => e.Finding != null))
                    .ThenByDescending(m => m.Events.Any(e => IsFailed(e.Operation)))
                    .ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase)
                    .ToList();

                int failed = ops.Count(IsFailed);

                Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
                Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src '" + ScriptHash + "'; base-uri 'none'; form-action 'none'\">\n");
                Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"RunCommandHunt\">\n");
                Raw("<title>"); T(_in.Title); Raw("</title>\n<style>"); Raw(Css); Raw("</style>\n</head>\n<body>\n");

                Raw("<header>\n<h1>"); T(_in.Title); Raw("</h1>\n<p>Generated "); T(Shown(generated));
                if (_in.QueryStartTime.HasValue || _in.QueryEndTime.HasValue)
                {
                    Raw(" &middot; hunted window ");
                    T(_in.QueryStartTime.HasValue ? Shown(_in.QueryStartTime.Value) : "(open)");
                    Raw(" to ");
                    T(_in.QueryEndTime.HasValue ? Shown(_in.QueryEndTime.Value) : "(open)");
                }
                Raw(" &middot; all times UTC</p>\n<ul class=\"summary\">");
                Summary(machines.Count, "machines", "");
                Summary(ops.Count, "operations", "");
                Summary(failed, "failed, rejected or canceled", failed > 0 ? "bad" : "");
                Summary(execs.Count, "script runs", "");
                Summary(findings.Count, "findings", findings.Count > 0 ? "hot" : "");
                Raw("</ul>\n</header>\n<main>\n");

                var warnings = (_in.Warnings ?? Array.Empty<string>()).Where(s => !string.IsNullOrEmpty(s)).ToList();
                if (warnings.Count > 0)
                {
                    Raw("<section class=\"warnings\" id=\"warnings\"><strong>Read first</strong><ul>");
                    foreach (var s in warnings) { Raw("<li>"); T(s); Raw("</li>"); }
                    Raw("</ul></section>\n");
                }

                Raw("<section id=\"findings\">\n<h2>"); T(_in.FindingsHeading);
                Raw(" (" + findings.Count.ToString(CultureInfo.InvariantCulture) + ")</h2>\n");
                if (findings.Count == 0) Raw("<p class=\"muted\">No findings.</p>\n");
                for (int i = 0; i < findings.Count; i++)
                    FindingCard(findings[i], i + 1, findingRow.TryGetValue(i + 1, out var rid) ? rid : "");
                Raw("</section>\n");

                Raw("<section id=\"timeline\">\n<h2>Timeline per machine</h2>\n<div class=\"controls\">");
                Raw("<input id=\"filter\" type=\"search\" placeholder=\"Filter: caller, IP, machine, command, fingerprint...\" aria-label=\"Filter timeline rows\">");
                Raw("<label><input id=\"only-findings\" type=\"checkbox\"> findings only</label>");
                Raw("<label><input id=\"only-failed\" type=\"checkbox\"> failed, rejected or canceled only</label>");
                Raw("<span id=\"shown\" class=\"muted\"></span></div>\n");
                if (machines.Count == 0) Raw("<p class=\"muted\">No operations or script runs.</p>\n");
                foreach (var m in machines) Machine(m.Name, m.Events);
                Raw("</section>\n</main>\n<script>"); Raw(Script); Raw("</script>\n</body>\n</html>\n");
                _w.Flush();
            }

            private void Summary(int n, string label, string cls)
            {
                Raw(cls.Length > 0 ? "<li class=\"" + cls + "\">" : "<li>");
                Raw("<b>" + n.ToString(CultureInfo.InvariantCulture) + "</b> " + label + "</li>");
            }

            private void FindingCard(UniqueRunCommandScript f, int n, string rowId)
            {
                var id = "finding-" + n.ToString(CultureInfo.InvariantCulture);
                Raw("<article class=\"finding-card\" id=\"" + id + "\">\n<h3>#" + n.ToString(CultureInfo.InvariantCulture) + " ");
                Raw("<span class=\"mono\">"); T(Or(f.PowershellFileName, "(no file name)")); Raw("</span> on <span class=\"vm-name\">");
                T(Or(f.VirtualMachineName, "(unknown machine)")); Raw("</span></h3>\n<dl class=\"kv\">");
                Kv("Time", Shown(f.StartTime) + " to " + Shown(f.EndTime));
                Kv("Caller", f.Caller, "caller");
                Kv("Caller IP", f.CallerIpAddress, "ip");
                Kv("Fingerprint", f.ScriptFingerprintHash + " (" + f.Fingerprint + ")", "fingerprint", mono: true);
                Kv("Prevalence", FormatPercent(f.Prevalence) + " (" + f.HashCount.ToString(CultureInfo.InvariantCulture) + " run(s) with this fingerprint)", "prevalence");
                Kv("File size", f.PowershellFileSize.HasValue ? f.PowershellFileSize.Value.ToString(CultureInfo.InvariantCulture) + " bytes" : "unknown");
                if (f.PowershellExecStart != default) Kv("Ran", Shown(f.PowershellExecStart) + " to " + Shown(f.PowershellExecEnd));
                if (!string.IsNullOrEmpty(f.DeviceName)) Kv("Device", f.DeviceName);
                if (!string.IsNullOrEmpty(f.InitiatingProcessCommandLine)) Kv("Command line", f.InitiatingProcessCommandLine, mono: true);
                if (!string.IsNullOrEmpty(f.CorrelationId)) Kv("CorrelationId", f.CorrelationId, mono: true);
                if (!string.IsNullOrEmpty(f.Scope)) Kv("Scope", f.Scope, mono: true);
                Kv("Mode", f.Compatibility.ToString());
                Raw("</dl>\n");
                var commands = f.PowershellScriptCommands ?? Array.Empty<string>();
                Raw("<div><strong>Commands (" + commands.Length.ToString(CultureInfo.InvariantCulture) + ")</strong>");
                if (commands.Length == 0) Raw(" <span class=\"muted\">none recorded</span>");
                else
                {
                    Raw("<ol class=\"commands\">");
                    foreach (var c in commands) { Raw("<li><code>"); T(c); Raw("</code></li>"); }
                    Raw("</ol>");
                }
                Raw("</div>\n");
                if (rowId.Length > 0) Raw("<p><a href=\"#" + rowId + "\">Show in timeline</a></p>\n");
                Raw("</article>\n");
            }

            private void Kv(string label, string? value, string cls = "", bool mono = false)
            {
                Raw("<dt>"); T(label); Raw("</dt><dd");
                var classes = (cls + (mono ? " mono" : "")).Trim();
                if (classes.Length > 0) Raw(" class=\"" + classes + "\"");
                Raw(">");
                if (string.IsNullOrEmpty(value)) Raw("<span class=\"muted\">(empty)</span>"); else T(value);
                Raw("</dd>");
            }

            private void Machine(string name, List<Event> events)
            {
                Raw("<section class=\"vm\">\n<h3>"); T(name.Length > 0 ? name : "(unknown machine)"); Raw("</h3>\n");
                var scopes = events.Select(e => e.Operation?.Scope ?? e.Execution?.Scope ?? e.Finding?.Scope ?? "")
                    .Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                foreach (var s in scopes) { Raw("<div class=\"scope mono\">"); T(s); Raw("</div>\n"); }

                // A strip of markers placed by time; the table below carries the same events as text.
                var min = events.Min(e => e.Time);
                var span = (events.Max(e => e.Time) - min).Ticks;
                Raw("<div class=\"strip\" aria-hidden=\"true\">");
                foreach (var e in events)
                {
                    double pct = span == 0 ? 50 : 2 + 96.0 * (e.Time - min).Ticks / span;
                    Raw("<span class=\"" + MarkClass(e) + "\" style=\"left:" + pct.ToString("0.##", CultureInfo.InvariantCulture) + "%\" title=\"");
                    T(Shown(e.Time) + " " + Describe(e));
                    Raw("\"></span>");
                }
                Raw("</div>\n<table class=\"events\">\n<thead><tr><th>Time (UTC)</th><th>Event</th><th>Status</th><th>Caller</th><th>Caller IP</th><th>Details</th></tr></thead>\n<tbody>\n");
                foreach (var e in events) Row(e);
                Raw("</tbody>\n</table>\n</section>\n");
            }

            private void Row(Event e)
            {
                var cls = "ev" + (e.Operation != null ? " op" : " script") + (IsFailed(e.Operation) ? " failed" : "") + (e.Finding != null ? " finding" : "");
                Raw("<tr class=\"" + cls + "\" id=\"" + e.RowId + "\"><td class=\"mono time\">"); T(Shown(e.Time)); Raw("</td>");
                if (e.Operation != null)
                {
                    var o = e.Operation;
                    Raw("<td>Run Command operation</td><td class=\"status\">"); T(Or(o.Status, "(unknown)")); Raw("</td>");
                    Raw("<td class=\"caller\">"); T(o.Caller); Raw("</td><td class=\"ip\">"); T(o.CallerIpAddress); Raw("</td><td>");
                    Raw("<span class=\"muted\">until</span> "); T(Shown(o.EndTime));
                    Raw(" &middot; <span class=\"muted\">statuses</span> "); T(string.Join(", ", o.ActivityStatusValues ?? Array.Empty<string>()));
                    if (!string.IsNullOrEmpty(o.OperationKind)) { Raw(" &middot; "); T(o.OperationKind); }
                    Raw("<br><span class=\"muted\">CorrelationId</span> <span class=\"mono\">"); T(o.CorrelationId); Raw("</span>");
                    Raw("</td></tr>\n");
                    return;
                }

                // A script run (or a finding whose run was not passed in).
                var x = e.Execution;
                var f = e.Finding;
                string file = x?.PowershellFileName ?? f!.PowershellFileName;
                string caller = x?.Caller ?? f!.Caller;
                string ip = x?.CallerIpAddress ?? f!.CallerIpAddress;
                string hash = f?.ScriptFingerprintHash ?? x!.ScriptFingerprintHash;
                var commands = x?.PowershellScriptCommands ?? f?.PowershellScriptCommands ?? Array.Empty<string>();
                long? size = x != null ? x.PowershellFileSize : f!.PowershellFileSize;
                Raw("<td>Script <span class=\"mono\">"); T(file); Raw("</span>");
                if (f != null)
                {
                    var n = e.FindingNumber.ToString(CultureInfo.InvariantCulture);
                    Raw(" <a class=\"tag hit\" href=\"#finding-" + n + "\">finding #" + n + "</a>");
                }
                Raw("</td><td class=\"status\">ran</td><td class=\"caller\">"); T(caller); Raw("</td><td class=\"ip\">"); T(ip); Raw("</td><td>");
                Raw("<span class=\"muted\">commands</span> ");
                if (commands.Length == 0) Raw("<span class=\"muted\">(none)</span>");
                for (int i = 0; i < commands.Length; i++) { if (i > 0) Raw(", "); Raw("<code>"); T(commands[i]); Raw("</code>"); }
                Raw("<br><span class=\"muted\">fingerprint</span> <span class=\"mono\">"); T(hash); Raw("</span>");
                Raw(" &middot; <span class=\"muted\">size</span> "); T(size.HasValue ? size.Value.ToString(CultureInfo.InvariantCulture) : "unknown");
                if (f != null) { Raw(" &middot; <span class=\"muted\">prevalence</span> "); T(FormatPercent(f.Prevalence)); }
                var corr = x?.CorrelationId ?? f!.CorrelationId;
                if (!string.IsNullOrEmpty(corr)) { Raw("<br><span class=\"muted\">CorrelationId</span> <span class=\"mono\">"); T(corr); Raw("</span>"); }
                Raw("</td></tr>\n");
            }

            private static string MarkClass(Event e) =>
                "mark" + (e.Operation == null ? " script" : "") + (IsFailed(e.Operation) ? " failed" : "") + (e.Finding != null ? " finding" : "");

            private static string Describe(Event e)
            {
                if (e.Operation != null) return "operation " + e.Operation.Status + " by " + e.Operation.Caller + " from " + e.Operation.CallerIpAddress;
                var file = e.Execution?.PowershellFileName ?? e.Finding!.PowershellFileName;
                return (e.Finding != null ? "FINDING script " : "script ") + file;
            }
        }

        // Failed, Rejected, Canceled: every outcome but success and "not finished yet".
        private static bool IsFailed(RunCommandOperation? o) =>
            o != null && !string.IsNullOrEmpty(o.Status)
                      && !string.Equals(o.Status, "Succeeded", StringComparison.OrdinalIgnoreCase)
                      && !string.Equals(o.Status, "InProgress", StringComparison.OrdinalIgnoreCase);

        private static string MachineOf(Event e) =>
            e.Operation?.VirtualMachineName ?? e.Execution?.VirtualMachineName ?? e.Finding?.VirtualMachineName ?? "";

        private static DateTime ScriptTime(DateTime fileCreated, DateTime start) =>
            ReportDates.Utc(fileCreated != default ? fileCreated : start);

        private static string Key(string correlationId, string vm, string file, DateTime created) =>
            string.Join("\u0001", correlationId, (vm ?? "").ToUpperInvariant(), file, ReportDates.Utc(created).Ticks.ToString(CultureInfo.InvariantCulture));

        /// <summary>ISO 8601 UTC for people: "2024-05-01 13:20:00Z", the fraction only when there is one (it matters at
        /// the seeds' inclusive between() bounds, so it is never rounded away).</summary>
        internal static string Shown(DateTime d)
        {
            var u = ReportDates.Utc(d);
            var s = u.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var fraction = u.Ticks % TimeSpan.TicksPerSecond;
            if (fraction != 0) s += "." + fraction.ToString("0000000", CultureInfo.InvariantCulture).TrimEnd('0');
            return s + "Z";
        }

        private static string Or(string? s, string fallback) => string.IsNullOrEmpty(s) ? fallback : s!;

        private static string FormatPercent(double p) =>
            double.IsNaN(p) || double.IsInfinity(p) ? p.ToString(CultureInfo.InvariantCulture) : p.ToString("0.####", CultureInfo.InvariantCulture) + " %";
    }
}
