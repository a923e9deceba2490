using System;
using System.IO;
using System.Text.Json;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>Opens a file with the reader its content calls for (never its extension).</summary>
    internal static class RowSources
    {
        private static readonly string[] ResponseProperties =
        {
            "tables", "schema", "results", "value", "error", "@odata.context", "stats", "statistics", "render",
        };

        public static RowSource Open(string path, IHuntLog log)
        {
            EvidenceStream? stream = null;
            try
            {
                stream = EvidenceStream.Open(path);
                if (stream.NotText != null)
                    throw new EvidenceException($"{path}: {stream.NotText}", path) { Reason = "UnknownFormat" };
                switch (stream.FirstChar)
                {
                    case '\0':
                        throw new EvidenceException($"{path}: the file is empty", path) { Reason = "UnknownFormat" };
                    case '[':
                        return new JsonResponseRowSource(stream, log);
                    case '{':
                        return IsResponse(stream)
                            ? new JsonResponseRowSource(stream, log)
                            : (RowSource)new JsonLinesRowSource(stream);
                    default:
                        return new CsvRowSource(stream);
                }
            }
            catch (Exception ex) when (IsReadFailure(ex))
            {
                stream?.Dispose();
                throw ReadFailure(path, 0, ex);
            }
            catch
            {
                stream?.Dispose();
                throw;
            }
        }

        public static bool IsReadFailure(Exception ex) =>
            ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException || ex is NotSupportedException;

        public static EvidenceException ReadFailure(string path, long line, Exception ex)
        {
            string what = ex is InvalidDataException ? "the gzip data is damaged" : ex.Message;
            return new EvidenceException($"{path}{(line > 0 ? $", line {line}" : "")}: cannot read the file: {what}", path, line, null, ex) { Reason = "Unreadable" };
        }

        /// <summary>A JSON object whose first property belongs to a query response, not to a row.</summary>
        private static bool IsResponse(EvidenceStream stream)
        {
            try
            {
                var r = new Utf8JsonReader(stream.Utf8Prefix, stream.PrefixIsWhole, default);
                if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
                if (!r.Read() || r.TokenType != JsonTokenType.PropertyName) return false;
                string name = KustoJson.Text(ref r);
                foreach (var p in ResponseProperties)
                    if (string.Equals(name, p, StringComparison.OrdinalIgnoreCase)) return true;
                return false;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
