using System;
using System.Reflection;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Finds a CSV row's fields from a structural index of its buffer: the quotes, delimiters and line breaks of 64
    /// bytes at a time as bit masks, made with vector instructions, quotes paired by a prefix XOR (as simdjson and
    /// simdcsv do). Only rows in the common, unambiguous form are taken from the index: every quote opens a field or
    /// closes one (before a delimiter, a line break or a doubled quote), no line break inside quotes, no more fields
    /// than the header, a line break before the end of the buffer. For any other row <see cref="Row"/> says -1 and
    /// the reader parses it as before, so the two give the same rows, fields, errors and line numbers.
    /// </summary>
    /// <remarks>
    /// The implementation is RunCommandHunt.Engine.Vectorized (net8.0: Vector256/Vector128 and the bit intrinsics,
    /// which netstandard2.0 lacks), loaded when the runtime is .NET 8 or later (PowerShell 7.4+); on Windows
    /// PowerShell, or when it is absent, <see cref="Create"/> gives null and the reader parses every row itself.
    /// </remarks>
    internal abstract class CsvIndexer
    {
        internal const string AssemblyName = "RunCommandHunt.Engine.Vectorized";
        private const string TypeName = "RunCommandHunt.Engine.Vectorized.VectorCsvIndexer";

        private static readonly Func<CsvIndexer>? Factory = LoadFactory();

        /// <summary>Set to 0 (or off), readers parse every row themselves: to measure what the index brings (the
        /// benchmark's engine profile does), or to rule it out. Read when a file is opened.</summary>
        public const string SwitchVariable = "RUNCOMMANDHUNT_CSV_INDEX";

        /// <summary>A new indexer for one reader (it keeps the masks of that reader's buffer), or null.</summary>
        public static CsvIndexer? Create(byte delimiter) =>
            Factory == null || !CanIndex(delimiter) || IsSwitchOff(Environment.GetEnvironmentVariable(SwitchVariable)) ? null : Factory();

        internal static bool IsSwitchOff(string? value)
        {
            value = value?.Trim();
            return value == "0" || string.Equals(value, "off", StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>A delimiter the masks can tell from quotes, line breaks and the padding after the buffer's end.</summary>
        internal static bool CanIndex(byte delimiter) =>
            delimiter != 0 && delimiter != (byte)'"' && delimiter != (byte)'\r' && delimiter != (byte)'\n' && delimiter < 0x80;

        /// <summary>
        /// The row that starts at <paramref name="pos"/> (a row start, not a line break) of buf's first
        /// <paramref name="length"/> bytes: where each field ends, i.e. the position of its delimiter or, for the last
        /// one, of the row's line break, in <paramref name="fieldEnds"/> (its length is the header's column count; a
        /// field starts after the previous one's end, and a quoted field's quotes are part of it); returns the
        /// position after the line break (CRLF, LF or a lone CR), or -1 when the row is not one the index can take.
        /// </summary>
        public abstract int Row(byte[] buf, int length, int pos, byte delimiter, int[] fieldEnds, out int fieldCount);

        /// <summary>Forgets the masks: the buffer's bytes moved or changed.</summary>
        public abstract void Reset();

        private static Func<CsvIndexer>? LoadFactory()
        {
            // .NET Framework reports 4.x here: the vectorised assembly is never asked for there.
            if (Environment.Version.Major < 8) return null;
            try
            {
                var assembly = Assembly.Load(new AssemblyName(AssemblyName));
                var type = assembly.GetType(TypeName, throwOnError: false);
                if (type == null || !typeof(CsvIndexer).IsAssignableFrom(type)) return null;
                var probe = (CsvIndexer?)Activator.CreateInstance(type, nonPublic: true);
                if (probe == null) return null;
                // The implementation says no when this CPU has no vector unit worth using.
                return probe is IHardwareCheck check && !check.IsAccelerated ? null : () => (CsvIndexer)Activator.CreateInstance(type, nonPublic: true)!;
            }
            catch (Exception ex) when (ex is System.IO.IOException || ex is BadImageFormatException || ex is TypeLoadException
                || ex is MissingMethodException || ex is TargetInvocationException || ex is NotSupportedException)
            {
                return null;
            }
        }

        /// <summary>Implemented by an indexer whose vector instructions may not be accelerated on this CPU.</summary>
        internal interface IHardwareCheck
        {
            bool IsAccelerated { get; }
        }
    }
}
