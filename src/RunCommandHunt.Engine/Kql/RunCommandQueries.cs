using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Sources;

namespace RunCommandHunt.Engine.Kql
{
    /// <summary>A machine and the time in which its MDE events matter.</summary>
    public readonly struct DeviceWindow
    {
        public DeviceWindow(string machineName, QueryWindow window)
        {
            MachineName = machineName ?? throw new ArgumentNullException(nameof(machineName));
            Window = window;
        }

        /// <summary>The Azure machine name (VirtualMachineName); matched against DeviceName case-insensitively.</summary>
        public string MachineName { get; }
        public QueryWindow Window { get; }

        public override string ToString() => MachineName + " " + Window;

        /// <summary>
        /// One window per machine and stretch of time: overlapping or touching windows of the same machine
        /// (case-insensitive) are merged, machines without a name dropped. Sorted by start, then name.
        /// </summary>
        public static IReadOnlyList<DeviceWindow> Merge(IEnumerable<DeviceWindow> windows)
        {
            var merged = new List<DeviceWindow>();
            foreach (var group in windows.Where(w => w.MachineName.Length > 0)
                         .GroupBy(w => w.MachineName, StringComparer.OrdinalIgnoreCase))
            {
                DeviceWindow? current = null;
                foreach (var w in group.OrderBy(x => x.Window.Start))
                {
                    if (current.HasValue && w.Window.Start <= current.Value.Window.End)
                    {
                        var end = w.Window.End > current.Value.Window.End ? w.Window.End : current.Value.Window.End;
                        current = new DeviceWindow(current.Value.MachineName, new QueryWindow(current.Value.Window.Start, end));
                    }
                    else
                    {
                        if (current.HasValue) merged.Add(current.Value);
                        current = w;
                    }
                }
                if (current.HasValue) merged.Add(current.Value);
            }
            merged.Sort((a, b) =>
            {
                int c = a.Window.Start.CompareTo(b.Window.Start);
                return c != 0 ? c : string.Compare(a.MachineName, b.MachineName, StringComparison.OrdinalIgnoreCase);
            });
            return merged;
        }

        /// <summary>The smallest window holding all of <paramref name="windows"/>.</summary>
        public static QueryWindow Span(IReadOnlyList<DeviceWindow> windows)
        {
            if (windows.Count == 0) throw new ArgumentException("No device windows.", nameof(windows));
            var start = windows.Min(w => w.Window.Start);
            var end = windows.Max(w => w.Window.End);
            return new QueryWindow(start, end);
        }
    }

    /// <summary>
    /// The queries of the client-side hunt: each fetches only what correlation reads, filtered on the server, and
    /// restricted to exactly one window [Start, End) so the chunk runner can split it without gaps or overlap. Every
    /// value is spliced through <see cref="KqlLiteral"/>. Filters are supersets of every mode's own predicate: the
    /// correlation applies each seed's exact (case-sensitive) test afterwards.
    /// </summary>
    public static class RunCommandQueries
    {
        public const string RunCommandExtensionProcess = "RunCommandExtension.exe";
        /// <summary>Managed Run Command's Windows handler process (exact image name unconfirmed; matched as a prefix).</summary>
        public const string RunCommandHandlerPrefix = "RunCommandHandler";
        /// <summary>Where the Linux action and managed handlers download scripts (run-command and run-command-handler).</summary>
        public const string LinuxRunCommandFolderPrefix = "/var/lib/waagent/run-command";

        public static readonly IReadOnlyList<string> AzureActivityColumns = new[]
        {
            "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress",
            "CorrelationId", "_ResourceId", "SubscriptionId", "ResourceGroup",
        };

        public static readonly IReadOnlyList<string> DeviceFileEventsColumns = new[]
        {
            "DeviceId", "DeviceName", "ActionType", "FileName", "FolderPath", "FileSize", "SHA256", "InitiatingProcessFileName",
            "InitiatingProcessAccountName", "InitiatingProcessAccountDomain", "InitiatingProcessFolderPath",
            "InitiatingProcessCommandLine", "InitiatingProcessId",
        };

        public static readonly IReadOnlyList<string> DeviceEventsColumns = new[]
        {
            "DeviceId", "DeviceName", "ActionType", "InitiatingProcessCommandLine", "InitiatingProcessId",
            "InitiatingProcessFileName", "FileName", "FolderPath", "SHA256", "AdditionalFields",
        };

        /// <summary>The MDE tables' time column: TimeGenerated in a Sentinel workspace, Timestamp in advanced hunting.</summary>
        public static string DeviceTimeColumn(LiveSourceKind kind) =>
            kind == LiveSourceKind.DefenderXdr ? "Timestamp" : "TimeGenerated";

        /// <summary><c>Column &gt;= datetime(Start) and Column &lt; datetime(End)</c>: the half-open window.</summary>
        public static string TimeFilter(string column, QueryWindow window) =>
            column + " >= " + KqlLiteral.DateTime(window.Start) + " and " + column + " < " + KqlLiteral.DateTime(window.End);

        /// <summary>
        /// AzureActivity rows of every Run Command operation (any casing: in~), all statuses, in the window. No status or
        /// Authorization filter: each mode groups all events of a CorrelationId and applies its own tests.
        /// </summary>
        public static string AzureActivity(QueryWindow window)
        {
            var sb = new StringBuilder();
            sb.Append("AzureActivity\n");
            sb.Append("| where ").Append(TimeFilter("TimeGenerated", window)).Append('\n');
            sb.Append("| where OperationNameValue in~ ").Append(KqlLiteral.StringList(RunCommandKinds.OperationNames)).Append('\n');
            sb.Append("| project ").Append(string.Join(", ", AzureActivityColumns));
            return sb.ToString();
        }

        /// <summary>
        /// Script files the Run Command handlers wrote on the given machines, each within its own window, inside
        /// <paramref name="window"/>. Null when no machine window meets <paramref name="window"/> (no request needed).
        /// </summary>
        public static string? DeviceFileEvents(LiveSourceKind kind, IReadOnlyList<DeviceWindow> devices, QueryWindow window)
        {
            var time = DeviceTimeColumn(kind);
            var devicePredicate = DevicePredicate(time, devices, window);
            if (devicePredicate == null) return null;
            var sb = new StringBuilder();
            sb.Append("DeviceFileEvents\n");
            sb.Append("| where ").Append(TimeFilter(time, window)).Append('\n');
            sb.Append("| where InitiatingProcessFileName =~ ").Append(KqlLiteral.String(RunCommandExtensionProcess))
              .Append(" or InitiatingProcessFileName startswith ").Append(KqlLiteral.String(RunCommandHandlerPrefix))
              .Append(" or FolderPath startswith ").Append(KqlLiteral.String(LinuxRunCommandFolderPrefix)).Append('\n');
            sb.Append("| where ").Append(devicePredicate).Append('\n');
            sb.Append("| project ").Append(time).Append(", ").Append(string.Join(", ", DeviceFileEventsColumns));
            return sb.ToString();
        }

        /// <summary>
        /// PowerShell events whose command line has "-File" (the seeds' own server-side test). With
        /// <paramref name="devices"/> null every machine is included - the seeds join DeviceEvents on the script file
        /// name alone, across all machines, so their modes need them all. Otherwise only the given machines and windows;
        /// null when none of them meets <paramref name="window"/>.
        /// </summary>
        public static string? DeviceEvents(LiveSourceKind kind, IReadOnlyList<DeviceWindow>? devices, QueryWindow window)
        {
            var time = DeviceTimeColumn(kind);
            string? devicePredicate = null;
            if (devices != null)
            {
                devicePredicate = DevicePredicate(time, devices, window);
                if (devicePredicate == null) return null;
            }
            var sb = new StringBuilder();
            sb.Append("DeviceEvents\n");
            sb.Append("| where ").Append(TimeFilter(time, window)).Append('\n');
            sb.Append("| where InitiatingProcessCommandLine has ").Append(KqlLiteral.String("-File")).Append('\n');
            if (devicePredicate != null) sb.Append("| where ").Append(devicePredicate).Append('\n');
            sb.Append("| project ").Append(time).Append(", ").Append(string.Join(", ", DeviceEventsColumns));
            return sb.ToString();
        }

        /// <summary>
        /// (DeviceName =~ "vm" or DeviceName startswith "vm.") and (time windows) or ... for the machines whose windows
        /// meet <paramref name="window"/>, cut to it. The DeviceName test is the seeds' host part (split at the first dot)
        /// compared case-insensitively, and also holds a machine name that itself contains dots.
        /// </summary>
        private static string? DevicePredicate(string time, IReadOnlyList<DeviceWindow> devices, QueryWindow window)
        {
            var byMachine = new Dictionary<string, List<QueryWindow>>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            foreach (var d in devices)
            {
                if (d.MachineName.Length == 0) continue;
                var cut = d.Window.Intersect(window);
                if (!cut.HasValue) continue;
                if (!byMachine.TryGetValue(d.MachineName, out var list))
                {
                    byMachine[d.MachineName] = list = new List<QueryWindow>();
                    order.Add(d.MachineName);
                }
                list.Add(cut.Value);
            }
            if (order.Count == 0) return null;

            var sb = new StringBuilder();
            for (int i = 0; i < order.Count; i++)
            {
                var name = order[i];
                if (i > 0) sb.Append("\n    or ");
                sb.Append("((DeviceName =~ ").Append(KqlLiteral.String(name, "MachineName"))
                  .Append(" or DeviceName startswith ").Append(KqlLiteral.String(name + ".", "MachineName")).Append(") and (");
                var windows = byMachine[name];
                windows.Sort((a, b) => a.Start.CompareTo(b.Start));
                for (int j = 0; j < windows.Count; j++)
                {
                    if (j > 0) sb.Append(" or ");
                    sb.Append('(').Append(TimeFilter(time, windows[j])).Append(')');
                }
                sb.Append("))");
            }
            return sb.ToString();
        }
    }
}
