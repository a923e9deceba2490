using System;
using System.Collections.Generic;
using System.Globalization;
using System.Xml;

namespace RunCommandHunt.Completion
{
    /// <summary>
    /// Relative times for -StartTime/-EndTime style parameters: "-7d" is seven days before now. The unit is m, h, d
    /// or w; the sign is optional (a look-back always counts back); ISO 8601 durations ("P7D", "PT12H") work too.
    /// </summary>
    public static class TimePresets
    {
        /// <summary>The presets Tab offers, shortest look-back first, with what each means.</summary>
        public static IReadOnlyList<KeyValuePair<string, string>> Offered { get; } = new[]
        {
            new KeyValuePair<string, string>("-1h", "1 hour before now"),
            new KeyValuePair<string, string>("-6h", "6 hours before now"),
            new KeyValuePair<string, string>("-12h", "12 hours before now"),
            new KeyValuePair<string, string>("-1d", "1 day before now (the analytic rule's look-back)"),
            new KeyValuePair<string, string>("-2d", "2 days before now"),
            new KeyValuePair<string, string>("-7d", "7 days before now"),
            new KeyValuePair<string, string>("-14d", "14 days before now"),
            new KeyValuePair<string, string>("-30d", "30 days before now (Defender advanced hunting keeps 30 days)"),
            new KeyValuePair<string, string>("-90d", "90 days before now (AzureActivity's default retention)"),
        };

        /// <summary>The look-back a preset names, or false when the text is not one.</summary>
        public static bool TryParseLookBack(string? text, out TimeSpan lookBack)
        {
            lookBack = TimeSpan.Zero;
            if (string.IsNullOrWhiteSpace(text)) return false;
            var t = text!.Trim();
            if (t.StartsWith("-", StringComparison.Ordinal) || t.StartsWith("+", StringComparison.Ordinal)) t = t.Substring(1);
            if (t.Length == 0) return false;

            if (t[0] == 'P' || t[0] == 'p')
            {
                try { lookBack = XmlConvert.ToTimeSpan(t.ToUpperInvariant()); }
                catch (FormatException) { return false; }
                catch (OverflowException) { return false; }
                return lookBack > TimeSpan.Zero;
            }

            char unit = char.ToLowerInvariant(t[t.Length - 1]);
            if (!double.TryParse(t.Substring(0, t.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount <= 0)
                return false;
            switch (unit)
            {
                case 'm': lookBack = TimeSpan.FromMinutes(amount); return true;
                case 'h': lookBack = TimeSpan.FromHours(amount); return true;
                case 'd': lookBack = TimeSpan.FromDays(amount); return true;
                case 'w': lookBack = TimeSpan.FromDays(amount * 7); return true;
                default: return false;
            }
        }

        /// <summary>The UTC time a preset names, counted back from <paramref name="nowUtc"/>.</summary>
        public static bool TryResolve(string? text, DateTime nowUtc, out DateTime utc)
        {
            utc = default;
            if (!TryParseLookBack(text, out var lookBack)) return false;
            utc = lookBack.Ticks >= nowUtc.Ticks ? DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) : nowUtc - lookBack;
            return true;
        }
    }
}
