using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace RunCommandHunt.Bench
{
    /// <summary>What the generator says the default hunt must find (truth.json).</summary>
    public static class Truth
    {
        public sealed class UniqueScript
        {
            public string CorrelationId = "";
            public string VirtualMachineName = "";
            public string ScriptFileName = "";
            public string ScriptFingerprintHash = "";

            public string Key => TruthKey(CorrelationId, VirtualMachineName, ScriptFileName, ScriptFingerprintHash);
        }

        /// <summary>The identity of a unique script as truth.json can state it (it has no StartTime).</summary>
        public static string TruthKey(string correlationId, string vm, string file, string hash) =>
            string.Join("|", correlationId.ToLowerInvariant(), vm, file, hash);

        public static string TruthKey(Finding f) => TruthKey(f.CorrelationId, f.VirtualMachineName, f.PowershellFileName, f.ScriptFingerprintHash);

        public static Dictionary<string, long> TableRows(string path)
        {
            using var doc = Open(path);
            var rows = new Dictionary<string, long>();
            foreach (var table in Required(doc.RootElement, "tables", path).EnumerateObject())
                rows[table.Name] = Required(table.Value, "rows", path).GetInt64();
            return rows;
        }

        public static List<UniqueScript> UniqueScripts(string path)
        {
            using var doc = Open(path);
            var list = new List<UniqueScript>();
            foreach (var u in Required(doc.RootElement, "uniqueScripts", path).EnumerateArray())
            {
                list.Add(new UniqueScript
                {
                    CorrelationId = Required(u, "correlationId", path).GetString() ?? "",
                    VirtualMachineName = Required(u, "virtualMachineName", path).GetString() ?? "",
                    ScriptFileName = Required(u, "scriptFileName", path).GetString() ?? "",
                    ScriptFingerprintHash = Required(u, "scriptFingerprintHash", path).GetString() ?? "",
                });
            }
            return list;
        }

        /// <summary>summary.runCommands and summary.succeeded, for the report.</summary>
        public static (long RunCommands, long Succeeded) Summary(string path)
        {
            using var doc = Open(path);
            var s = Required(doc.RootElement, "summary", path);
            return (Required(s, "runCommands", path).GetInt64(), Required(s, "succeeded", path).GetInt64());
        }

        private static JsonDocument Open(string path)
        {
            if (!File.Exists(path)) throw new FileNotFoundException($"{path}: truth.json is missing.", path);
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }

        private static JsonElement Required(JsonElement e, string name, string path) =>
            e.TryGetProperty(name, out var v) ? v : throw new InvalidDataException($"{path}: property '{name}' is missing.");
    }
}
