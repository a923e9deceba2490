using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace RunCommandHunt.Engine.Tests.Hostile
{
    /// <summary>One bad evidence file and what it must end in (Fixtures/Hostile/cases.json; its "about" explains the fields).</summary>
    public sealed class HostileCase
    {
        public string Name { get; set; } = "";
        public string Table { get; set; } = "";
        public string Why { get; set; } = "";
        public GenerateSpec? Generate { get; set; }
        public ExplicitSpec? Explicit { get; set; }
        public string Folder { get; set; } = "read";
        public int? Read { get; set; }
        public List<RejectSpec> Rejected { get; set; } = new List<RejectSpec>();
        public List<long> MayReject { get; set; } = new List<long>();
        public string? Warning { get; set; }
        public string? Verbose { get; set; }
        public JsonElement? Operations { get; set; }
        public JsonElement? Executions { get; set; }

        public override string ToString() => Name;

        public sealed class GenerateSpec
        {
            public string From { get; set; } = "";
            public string As { get; set; } = "";
        }

        public sealed class ExplicitSpec
        {
            public string? Error { get; set; }
            public long? Line { get; set; }
            public string? Column { get; set; }
            public int? Files { get; set; }
            public string? Warning { get; set; }
        }

        public sealed class RejectSpec
        {
            public long Line { get; set; }
            public string? Column { get; set; }
            public string? Value { get; set; }
            public string? Reason { get; set; }
        }
    }

    /// <summary>
    /// The hostile corpus: reads cases.json and puts a case's file (committed, or generated: binary, huge, gzip, UTF-16,
    /// permission) into a folder. The module tests compile this same file (linked in their project file).
    /// </summary>
    public static class HostileCorpus
    {
        public const string PermissionCase = "no-read-permission";

        /// <summary>Beside the engine tests' output (fixtures are copied there), else where the corpus is committed
        /// (the module tests carry the repository root as assembly metadata).</summary>
        public static string Dir { get; } = FindDir();

        private static string FindDir()
        {
            var copied = System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Hostile");
            if (File.Exists(System.IO.Path.Combine(copied, "cases.json"))) return copied;
            foreach (var a in typeof(HostileCorpus).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false))
                if (a is System.Reflection.AssemblyMetadataAttribute m && m.Key == "RepoRoot" && m.Value != null)
                    return System.IO.Path.Combine(m.Value, "tests", "RunCommandHunt.Engine.Tests", "Fixtures", "Hostile");
            return copied;
        }

        private static readonly JsonSerializerOptions Options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        private static readonly Lazy<Document> Loaded = new Lazy<Document>(() =>
            JsonSerializer.Deserialize<Document>(File.ReadAllText(System.IO.Path.Combine(Dir, "cases.json")), Options)!);

        public static IReadOnlyList<HostileCase> Cases => Loaded.Value.Cases;

        public static IReadOnlyList<string> BaselineOperations => Loaded.Value.Baseline.Operations;

        public static IReadOnlyList<string> BaselineExecutions => Loaded.Value.Baseline.Executions;

        public static HostileCase Case(string name) => Cases.Single(c => c.Name == name);

        public static readonly string[] Tables = { "AzureActivity", "DeviceFileEvents", "DeviceEvents" };

        /// <summary>The case's file in <paramref name="folder"/>, under its case name, with the good files of the other tables beside it.</summary>
        public static string Materialize(HostileCase c, string folder, bool withGoodFiles)
        {
            if (withGoodFiles)
                foreach (var t in Tables.Where(t => t != c.Table))
                    File.Copy(System.IO.Path.Combine(Dir, "good", t + ".csv"), System.IO.Path.Combine(folder, t + ".csv"));
            string path = System.IO.Path.Combine(folder, c.Name);
            if (c.Generate == null)
            {
                File.Copy(System.IO.Path.Combine(Dir, c.Name), path);
                return path;
            }
            string text = File.ReadAllText(System.IO.Path.Combine(Dir, c.Generate.From), Encoding.UTF8);
            switch (c.Generate.As)
            {
                case "directory":
                    Directory.CreateDirectory(path);
                    return path;
                case PermissionCase:
                    File.WriteAllText(path, text);
                    if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.None);
                    return path;
                default:
                    File.WriteAllBytes(path, Generate(c.Generate.As, text));
                    return path;
            }
        }

        /// <summary>True when a file of mode 000 cannot be opened here (not root, not Windows).</summary>
        public static bool PermissionsApply()
        {
            if (OperatingSystem.IsWindows()) return false;
            string probe = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rch-permission-" + Guid.NewGuid().ToString("N"));
            File.WriteAllText(probe, "x");
            try
            {
                File.SetUnixFileMode(probe, UnixFileMode.None);
                try { using (File.OpenRead(probe)) return false; }
                catch (UnauthorizedAccessException) { return true; }
            }
            finally
            {
                File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Delete(probe);
            }
        }

        /// <summary>The bytes of a generated case from a good file's text.</summary>
        public static byte[] Generate(string kind, string text)
        {
            var utf8 = new UTF8Encoding(false);
            switch (kind)
            {
                case "utf8-bom": return Encoding.UTF8.GetPreamble().Concat(utf8.GetBytes(text)).ToArray();
                case "utf16le-bom": return Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray();
                case "utf16be-bom": return Encoding.BigEndianUnicode.GetPreamble().Concat(Encoding.BigEndianUnicode.GetBytes(text)).ToArray();
                case "utf16le": return Encoding.Unicode.GetBytes(text);
                case "utf16be": return Encoding.BigEndianUnicode.GetBytes(text);
                case "latin1": return Encoding.Latin1.GetBytes(text.Replace("mallory@", "mall\u00F6ry@"));
                case "gzip": return Gzip(utf8.GetBytes(text));
                case "gzip-truncated":
                {
                    // The good rows, a flush (the compressed data so far decodes on its own), 4000 more rows; cut at the
                    // flush: what is left decompresses to whole rows and lacks the gzip trailer (CRC and length).
                    var more = new StringBuilder();
                    var rng = new Prng(7);
                    for (int i = 0; i < 4000; i++)
                        more.Append($"2024-05-01T07:{i / 60 % 60:00}:{i % 60:00}.0000000Z,VM09.contoso.local,FileCreated,f{i}.txt,C:\\Temp\\{rng.Hex(32)}\\f{i}.txt,{i},notepad.exe,alice,contoso,C:\\Windows\\System32\\notepad.exe,{i}\n");
                    using var ms = new MemoryStream();
                    long cut;
                    using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
                    {
                        var head = utf8.GetBytes(text);
                        gz.Write(head, 0, head.Length);
                        gz.Flush();
                        cut = ms.Length;
                        var tail = utf8.GetBytes(more.ToString());
                        gz.Write(tail, 0, tail.Length);
                    }
                    return ms.ToArray().Take((int)cut).ToArray();
                }
                case "gzip-garbage":
                    return new byte[] { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff }.Concat(new Prng(11).Bytes(4096, 0)).ToArray();
                case "binary":
                {
                    var b = new Prng(13).Bytes(64 * 1024, 0);
                    b[0] = (byte)'B'; b[1] = (byte)'N'; b[10] = 0;
                    return b;
                }
                case "binary-no-nul":
                {
                    var b = new Prng(17).Bytes(64 * 1024, 1);
                    b[0] = (byte)'x';
                    return b;
                }
                case "nul-in-field": return utf8.GetBytes(Once(text, "-Command Get-Date", "-Command Get\0Date"));
                case "long-line": return utf8.GetBytes(Once(text, "-Command Get-Date", "-Command Get-Date #" + new string('A', 4 << 20)));
                case "oversized-line": return utf8.GetBytes(Once(text, "-Command Get-Date", "-Command Get-Date #" + new string('A', 33 << 20)));
                case "deep-nesting": return utf8.GetBytes("[{\"TimeGenerated\":" + new string('[', 100_000));
                default: throw new ArgumentException($"unknown generator '{kind}'", nameof(kind));
            }
        }

        /// <summary>A case's expected keys for a behaviour ("None", "HuntingQuery", "AnalyticRule").</summary>
        public static IReadOnlyList<string> Expected(JsonElement? spec, string mode, IReadOnlyList<string> baseline)
        {
            if (spec == null) return baseline;
            var e = spec.Value;
            if (e.ValueKind == JsonValueKind.Object)
            {
                if (e.TryGetProperty(mode, out var own)) e = own;
                else if (mode != "None" && e.TryGetProperty("Seeds", out var seeds)) e = seeds;
                else throw new InvalidOperationException($"no expectation for {mode} in {spec}");
            }
            if (e.ValueKind == JsonValueKind.String)
                return e.GetString() == "baseline" ? baseline : e.GetString() == "none" ? Array.Empty<string>()
                    : throw new InvalidOperationException($"unknown expectation {e}");
            return e.EnumerateArray().Select(x => x.GetString()!).ToList();
        }

        private static string Once(string text, string find, string replace)
        {
            int i = text.IndexOf(find, StringComparison.Ordinal);
            if (i < 0 || text.IndexOf(find, i + 1, StringComparison.Ordinal) >= 0) throw new InvalidOperationException($"'{find}' must occur once");
            return text.Substring(0, i) + replace + text.Substring(i + find.Length);
        }

        private static byte[] Gzip(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(data, 0, data.Length);
            return ms.ToArray();
        }

        /// <summary>xorshift64: the same bytes on every runtime (System.Random's sequence is not promised).</summary>
        private sealed class Prng
        {
            private ulong s;
            public Prng(ulong seed) { s = seed * 0x9E3779B97F4A7C15UL | 1; }
            public ulong Next() { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
            public byte[] Bytes(int n, int min)
            {
                var b = new byte[n];
                for (int i = 0; i < n; i++) b[i] = (byte)(min + (int)(Next() % (ulong)(256 - min)));
                return b;
            }
            public string Hex(int n)
            {
                var sb = new StringBuilder(n);
                for (int i = 0; i < n; i++) sb.Append("0123456789abcdef"[(int)(Next() & 15)]);
                return sb.ToString();
            }
        }

        private sealed class Document
        {
            public BaselineSpec Baseline { get; set; } = new BaselineSpec();
            public List<HostileCase> Cases { get; set; } = new List<HostileCase>();
        }

        private sealed class BaselineSpec
        {
            public List<string> Operations { get; set; } = new List<string>();
            public List<string> Executions { get; set; } = new List<string>();
        }
    }
}
