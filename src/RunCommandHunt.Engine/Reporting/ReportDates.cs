using System;
using System.Globalization;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>Every date the reports write is UTC in ISO 8601 round-trip form ("o"), whatever its Kind.</summary>
    public static class ReportDates
    {
        /// <summary>Evidence times are UTC; an Unspecified Kind is taken as UTC, a Local one converted.</summary>
        public static DateTime Utc(DateTime d) =>
            d.Kind == DateTimeKind.Local ? d.ToUniversalTime() : DateTime.SpecifyKind(d, DateTimeKind.Utc);

        /// <summary>e.g. 2024-05-01T10:00:00.1234567Z</summary>
        public static string Format(DateTime d) => Utc(d).ToString("o", CultureInfo.InvariantCulture);
    }
}
