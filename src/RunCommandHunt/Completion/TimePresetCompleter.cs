using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace RunCommandHunt.Completion
{
    /// <summary>
    /// Tab completion of relative times ('-1d', '-7d', ...) for a -StartTime style parameter. Completions are quoted:
    /// unquoted, PowerShell reads -7d as the decimal number -7.
    /// </summary>
    public sealed class TimePresetCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = CompletionText.Unquote(wordToComplete);
            foreach (var preset in TimePresets.Offered)
            {
                if (!preset.Key.StartsWith(typed, StringComparison.OrdinalIgnoreCase)
                    && !preset.Key.Substring(1).StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                    continue;
                yield return new CompletionResult(CompletionText.Quote(preset.Key, wordToComplete), preset.Key,
                    CompletionResultType.ParameterValue, preset.Value);
            }
        }
    }

    /// <summary>
    /// Turns a relative time ('-7d', '-12h', 'P7D') into the UTC time it names, and a date without an offset into that
    /// time in UTC (the evidence is in UTC, not in the analyst's time zone). Anything else is left for PowerShell to
    /// convert. An unquoted -7d arrives as the decimal -7: the d suffix is the only way a decimal gets here, so it
    /// means days.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimePresetTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            var now = DateTime.UtcNow;
            switch (value)
            {
                case string s when TimePresets.TryResolve(s, now, out var utc):
                    return utc;
                case string s when DateTime.TryParse(s, System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed):
                    return DateTime.SpecifyKind(parsed, DateTimeKind.Utc);
                case decimal days when days != 0:
                    return now - TimeSpan.FromDays((double)Math.Abs(days));
                case DateTime dt when dt.Kind == DateTimeKind.Local:
                    return dt.ToUniversalTime();
                default:
                    return inputData;
            }
        }
    }

    internal static class CompletionText
    {
        public static string Unquote(string? word)
        {
            var w = word ?? "";
            if (w.Length > 0 && (w[0] == '\'' || w[0] == '"')) w = w.Substring(1);
            if (w.Length > 0 && (w[w.Length - 1] == '\'' || w[w.Length - 1] == '"')) w = w.Substring(0, w.Length - 1);
            return w;
        }

        /// <summary>Quotes as the user started to (single quotes by default) when the value needs it.</summary>
        public static string Quote(string value, string? typed, bool always = true)
        {
            bool needs = always || value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '#' }) >= 0;
            if (!needs) return value;
            if (!string.IsNullOrEmpty(typed) && typed![0] == '"') return "\"" + value.Replace("\"", "`\"") + "\"";
            return "'" + value.Replace("'", "''") + "'";
        }
    }
}
