using System;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using RunCommandHunt.Engine.Readers.Formats;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>Value conversions with Kusto's rules: datetimes at 100 ns, longs, tostring(dynamic).</summary>
    public static class EvidenceValues
    {
        /// <summary>
        /// Parses ISO 8601 (0-7 fractional digits, more are truncated; 'Z', an offset, or no zone = UTC;
        /// 'T' or a space between date and time) and, failing that, the Azure portal export format
        /// "M/d/yyyy, h:mm:ss[.fff] AM" (comma optional, AM/PM optional = 24-hour clock).
        /// </summary>
        [MethodImpl(Hot.Optimize)]
        public static bool TryParseDateTime(string? text, out DateTime utc)
        {
            utc = default;
            if (text == null) return false;
            int s = 0, e = text.Length;
            while (s < e && IsSpace(text[s])) s++;
            while (e > s && IsSpace(text[e - 1])) e--;
            if (e - s < 10) return false;
            return TryParseIso(text, s, e, out utc) || TryParsePortal(text, s, e, out utc);
        }

        /// <summary>Kusto's tostring(datetime): yyyy-MM-ddTHH:mm:ss.fffffffZ.</summary>
        public static string FormatDateTime(DateTime utc)
        {
            if (utc.Kind == DateTimeKind.Local) utc = utc.ToUniversalTime();
            return utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'", CultureInfo.InvariantCulture);
        }

        /// <summary>Integer text; "" or blank -> null (true). Accepts "123.0" and "1.5E+3" when the value is a
        /// whole number (Excel writes those). Anything else -> false.</summary>
        [MethodImpl(Hot.Optimize)]
        public static bool TryParseLong(string? text, out long? value)
        {
            value = null;
            if (text == null) return true;
            int s = 0, e = text.Length;
            while (s < e && IsSpace(text[s])) s++;
            while (e > s && IsSpace(text[e - 1])) e--;
            if (s == e) return true;

            // Fast path: optional sign and digits.
            int i = s;
            bool negative = false;
            if (text[i] == '-' || text[i] == '+') { negative = text[i] == '-'; i++; }
            if (i < e)
            {
                ulong acc = 0;
                int j = i;
                bool overflow = false;
                for (; j < e; j++)
                {
                    uint d = (uint)(text[j] - '0');
                    if (d > 9) break;
                    if (acc > (ulong.MaxValue - d) / 10) { overflow = true; break; }
                    acc = acc * 10 + d;
                }
                if (j == e && !overflow)
                {
                    if (!negative && acc <= long.MaxValue) { value = (long)acc; return true; }
                    if (negative && acc <= (ulong)long.MaxValue + 1) { value = unchecked(-(long)acc); return true; }
                    return false;
                }
            }

            // Slow path: decimal or exponent forms that hold a whole number.
            if (!decimal.TryParse(text.Substring(s, e - s), NumberStyles.Float, CultureInfo.InvariantCulture, out var d2))
                return false;
            if (decimal.Truncate(d2) != d2 || d2 > long.MaxValue || d2 < long.MinValue) return false;
            value = (long)d2;
            return true;
        }

        /// <summary>Kusto's tostring() of a dynamic value: a string is itself, a number or bool its JSON text,
        /// an object or array compact JSON (no whitespace, non-ASCII not escaped), null "".</summary>
        public static string KustoToString(JsonElement e) => Fingerprinting.KustoJson.ToKustoString(e);

        private static bool IsSpace(char c) => c == ' ' || c == '\t' || c == '\u00A0' || c == '\u202F' || c == '\r' || c == '\n';

        private static bool TryDigits(string t, ref int i, int e, int count, out int value)
        {
            value = 0;
            if (i + count > e) return false;
            for (int k = 0; k < count; k++)
            {
                uint d = (uint)(t[i + k] - '0');
                if (d > 9) return false;
                value = value * 10 + (int)d;
            }
            i += count;
            return true;
        }

        // 1 or 2 digits
        private static bool TryDigits12(string t, ref int i, int e, out int value)
        {
            value = 0;
            if (i >= e || (uint)(t[i] - '0') > 9) return false;
            value = t[i++] - '0';
            if (i < e && (uint)(t[i] - '0') <= 9) value = value * 10 + (t[i++] - '0');
            return true;
        }

        // Reads '.' or ',' and 1+ digits; keeps the first 7 as ticks.
        private static bool TryFraction(string t, ref int i, int e, out long ticks)
        {
            ticks = 0;
            if (i >= e || (t[i] != '.' && t[i] != ',')) return true;
            int start = ++i;
            long scale = 1_000_000;
            while (i < e && (uint)(t[i] - '0') <= 9)
            {
                if (i - start < 7) { ticks += (t[i] - '0') * scale; scale /= 10; }
                i++;
            }
            return i > start;
        }

        [MethodImpl(Hot.Optimize)]
        private static bool TryParseIso(string t, int i, int e, out DateTime utc)
        {
            utc = default;
            if (!TryDigits(t, ref i, e, 4, out int year)) return false;
            if (i >= e || t[i++] != '-') return false;
            if (!TryDigits(t, ref i, e, 2, out int month)) return false;
            if (i >= e || t[i++] != '-') return false;
            if (!TryDigits(t, ref i, e, 2, out int day)) return false;
            int hour = 0, minute = 0, second = 0;
            long fraction = 0;
            if (i < e)
            {
                char sep = t[i++];
                if (sep != 'T' && sep != 't' && sep != ' ') return false;
                if (!TryDigits(t, ref i, e, 2, out hour)) return false;
                if (i >= e || t[i++] != ':') return false;
                if (!TryDigits(t, ref i, e, 2, out minute)) return false;
                if (i < e && t[i] == ':')
                {
                    i++;
                    if (!TryDigits(t, ref i, e, 2, out second)) return false;
                    if (!TryFraction(t, ref i, e, out fraction)) return false;
                }
            }
            long offsetTicks = 0;
            if (i < e)
            {
                char z = t[i];
                if (z == 'Z' || z == 'z') i++;
                else if (z == '+' || z == '-')
                {
                    i++;
                    if (!TryDigits(t, ref i, e, 2, out int oh)) return false;
                    int om = 0;
                    if (i < e && t[i] == ':') i++;
                    if (i < e && !TryDigits(t, ref i, e, 2, out om)) return false;
                    if (oh > 14 || om > 59) return false;
                    offsetTicks = (oh * 60L + om) * TimeSpan.TicksPerMinute;
                    if (z == '-') offsetTicks = -offsetTicks;
                }
                else return false;
            }
            if (i != e) return false;
            return TryBuild(year, month, day, hour, minute, second, fraction, offsetTicks, out utc);
        }

        private static bool TryParsePortal(string t, int i, int e, out DateTime utc)
        {
            utc = default;
            if (!TryDigits12(t, ref i, e, out int month)) return false;
            if (i >= e || t[i++] != '/') return false;
            if (!TryDigits12(t, ref i, e, out int day)) return false;
            if (i >= e || t[i++] != '/') return false;
            if (!TryDigits(t, ref i, e, 4, out int year)) return false;
            if (i < e && t[i] == ',') i++;
            int spaces = i;
            while (i < e && IsSpace(t[i])) i++;
            if (i == spaces) return false;
            if (!TryDigits12(t, ref i, e, out int hour)) return false;
            if (i >= e || t[i++] != ':') return false;
            if (!TryDigits(t, ref i, e, 2, out int minute)) return false;
            int second = 0;
            long fraction = 0;
            if (i < e && t[i] == ':')
            {
                i++;
                if (!TryDigits(t, ref i, e, 2, out second)) return false;
                if (!TryFraction(t, ref i, e, out fraction)) return false;
            }
            while (i < e && IsSpace(t[i])) i++;
            if (i < e)
            {
                if (e - i != 2 || (t[i + 1] != 'M' && t[i + 1] != 'm')) return false;
                char ap = t[i];
                bool pm;
                if (ap == 'A' || ap == 'a') pm = false;
                else if (ap == 'P' || ap == 'p') pm = true;
                else return false;
                if (hour < 1 || hour > 12) return false;
                if (hour == 12) hour = 0;
                if (pm) hour += 12;
                i = e;
            }
            return TryBuild(year, month, day, hour, minute, second, fraction, 0, out utc);
        }

        private static bool TryBuild(int year, int month, int day, int hour, int minute, int second, long fraction, long offsetTicks, out DateTime utc)
        {
            utc = default;
            if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
            if (hour > 23 || minute > 59 || second > 59) return false;
            long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction - offsetTicks;
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return false;
            utc = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }
    }
}
