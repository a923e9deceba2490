using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace RunCommandHunt.Engine.Readers.Formats
{
    /// <summary>
    /// Reads JSON rows into a values array: row objects ({"column": value}) matched to columns by name, and
    /// row arrays (Log Analytics API) by position. A cell becomes text: strings as they are, numbers and bools
    /// as their JSON text, nested objects/arrays (dynamic columns) as compact JSON, null as null.
    /// </summary>
    internal sealed class JsonRowReader
    {
        private readonly ColumnSet columns;
        // Row objects repeat their property order: remember the name at each position to avoid allocating it.
        private readonly List<byte[]> names = new List<byte[]>();
        private readonly List<int> indexes = new List<int>();

        public JsonRowReader(ColumnSet columns) { this.columns = columns; }

        /// <summary>Reads the object the reader is on. Returns an error reason, or null.</summary>
        [MethodImpl(Hot.Optimize)]
        public string? ReadObject(ref Utf8JsonReader r, bool[] needed, string?[] values)
        {
            if (r.TokenType != JsonTokenType.StartObject)
                return $"expected a JSON object for the row, found {Describe(r.TokenType)}";
            int position = 0;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                int index;
                if (position < names.Count && r.ValueTextEquals(names[position]))
                    index = indexes[position];
                else
                {
                    string name = KustoJson.Text(ref r);
                    index = columns.IndexOfRaw(name);
                    var bytes = Encoding.UTF8.GetBytes(name);
                    if (position < names.Count) { names[position] = bytes; indexes[position] = index; }
                    else { names.Add(bytes); indexes.Add(index); }
                }
                position++;
                r.Read();
                if (index >= 0 && needed[index]) values[index] = KustoJson.ValueText(ref r);
                else r.Skip();
            }
            return null;
        }

        /// <summary>Reads the array the reader is on, cell i into column i.</summary>
        [MethodImpl(Hot.Optimize)]
        public string? ReadArray(ref Utf8JsonReader r, bool[] needed, string?[] values)
        {
            if (r.TokenType != JsonTokenType.StartArray)
                return $"expected a JSON array for the row, found {Describe(r.TokenType)}";
            int cell = 0;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (cell < needed.Length && needed[cell]) values[cell] = KustoJson.ValueText(ref r);
                else r.Skip();
                cell++;
            }
            if (cell != columns.Count)
                return $"{cell} cell{(cell == 1 ? "" : "s")}, the response has {columns.Count} columns";
            return null;
        }

        /// <summary>The property names of the object the reader is on, in order, with their values as text.</summary>
        public static void ReadNamesAndValues(ref Utf8JsonReader r, List<string> names, List<string?> values)
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                names.Add(KustoJson.Text(ref r));
                r.Read();
                values.Add(KustoJson.ValueText(ref r));
            }
        }

        public static string Describe(JsonTokenType t)
        {
            switch (t)
            {
                case JsonTokenType.StartArray: return "an array";
                case JsonTokenType.StartObject: return "an object";
                case JsonTokenType.String: return "a string";
                case JsonTokenType.Number: return "a number";
                case JsonTokenType.True:
                case JsonTokenType.False: return "a boolean";
                case JsonTokenType.Null: return "null";
                default: return t.ToString();
            }
        }
    }
}
