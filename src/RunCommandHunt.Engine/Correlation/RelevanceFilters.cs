using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using static RunCommandHunt.Engine.Readers.RowPrefilter;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// What each stage reads of each table, per behaviour: the relevance predicate (<c>IsRelevant</c>), with the
    /// prefilter that lets a reader pass over a row before mapping it. Each prefilter is a necessary condition of
    /// its predicate (tests check it on the hostile corpus, the samples and generated rows).
    /// </summary>
    public static class RelevanceFilters
    {
        private const string CommandLine = "InitiatingProcessCommandLine";
        // DefaultCorrelator.IsRunCommandFolder.
        private static readonly string[] HandlerFolders = { "microsoft.cplat.core.runcommand", "/waagent/run-command" };
        // The last path segment of a -File argument is script<digits>.ps1 or script.ps1 (DefaultCorrelator's
        // HandlerScriptName): "script" then a digit or a dot. (What comes before it, a path separator, whitespace or
        // a quote, is left to the predicate: two searches of the command line instead of ten.)
        private static readonly string[] HandlerScriptNames = { "script#", "script." };

        // KustoJson.TryReadCommand matches the property name "ScriptContent" exactly, after JSON unescaping: a
        // name written with \u escapes could spell it, so such a row takes the full path.
        private static Clause ScriptContentKey() => Clause.Exact(new[] { "AdditionalFields" }, "ScriptContent", "\\u");

        public static EvidenceFilter<AzureActivityRecord> AzureActivity(CompatibilityMode mode) =>
            // Every Run Command operation name has "runCommand" in it (any case).
            new EvidenceFilter<AzureActivityRecord>(r => OperationBuilder.IsRelevant(r, mode),
                Create(EvidenceTable.AzureActivity, Clause.AnyCase(new[] { "OperationNameValue" }, "runcommand")));

        public static EvidenceFilter<DeviceFileEventRecord> DeviceFileEvents(CompatibilityMode mode)
        {
            var prefilter = mode == CompatibilityMode.AnalyticRule
                // InitiatingProcessFileName == "RunCommandExtension.exe" and FileName a script<N>.ps1 (the join's key)
                ? Create(EvidenceTable.DeviceFileEvents, Clause.Exact(new[] { "InitiatingProcessFileName" }, ScriptExecutionCorrelator.ExtensionProcess),
                    Clause.Exact(new[] { "FileName" }, "script"), Clause.Exact(new[] { "FileName" }, ".ps1"))
                : mode == CompatibilityMode.HuntingQuery
                ? Create(EvidenceTable.DeviceFileEvents, Clause.Exact(new[] { "InitiatingProcessFileName" }, ScriptExecutionCorrelator.ExtensionProcess))
                // IsScriptFile(FileName) and (IsRunCommandProcess(InitiatingProcessFileName) or IsRunCommandFolder(FolderPath));
                // both folder names contain "runcommand" or "run-command".
                : Create(EvidenceTable.DeviceFileEvents,
                    Clause.AnyCase(new[] { "FileName" }, ".ps1", ".sh", ".cmd", ".bat"),
                    Clause.AnyCase(new[] { "InitiatingProcessFileName", "FolderPath" }, "runcommand", "run-command"));
            return new EvidenceFilter<DeviceFileEventRecord>(e => ScriptExecutionCorrelator.IsRelevant(e, mode), prefilter);
        }

        public static EvidenceFilter<DeviceEventRecord> DeviceEvents(CompatibilityMode mode)
        {
            RowPrefilter prefilter;
            switch (mode)
            {
                case CompatibilityMode.HuntingQuery:
                    // InitiatingProcessCommandLine has "-File"
                    prefilter = Create(EvidenceTable.DeviceEvents, Clause.AnyCase(new[] { CommandLine }, "-file"));
                    break;
                case CompatibilityMode.AnalyticRule:
                    // extract(@"\-File\s(script[0-9]{1,9}\.ps1)") is not empty
                    prefilter = Create(EvidenceTable.DeviceEvents, Clause.Exact(new[] { CommandLine }, "-File"),
                        Clause.AnyCase(new[] { CommandLine }, "-file script#"));
                    break;
                default:
                    // ScriptContent in AdditionalFields, or a -File run of a handler's script name or in a handler's folder
                    prefilter = Create(EvidenceTable.DeviceEvents,
                        Clause.AnyCase(new[] { CommandLine }, "-file").Or(ScriptContentKey()),
                        Clause.AnyCase(new[] { CommandLine }, Concat(HandlerScriptNames, HandlerFolders)).Or(ScriptContentKey()));
                    break;
            }
            return new EvidenceFilter<DeviceEventRecord>(e => ScriptExecutionCorrelator.IsRelevant(e, mode), prefilter);
        }

        public static EvidenceFilter<DeviceProcessEventRecord> DeviceProcessEvents(CompatibilityMode mode) =>
            // A handler folder or a -File argument in either command line.
            new EvidenceFilter<DeviceProcessEventRecord>(e => ScriptExecutionCorrelator.IsRelevant(e, mode),
                Create(EvidenceTable.DeviceProcessEvents,
                    Clause.AnyCase(new[] { "ProcessCommandLine", CommandLine }, Concat(new[] { "-file" }, HandlerFolders))));

        private static string[] Concat(string[] a, string[] b)
        {
            var all = new string[a.Length + b.Length];
            a.CopyTo(all, 0);
            b.CopyTo(all, a.Length);
            return all;
        }
    }
}
