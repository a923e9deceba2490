using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Tests.Readers
{
    /// <summary>Keeps everything the engine reports, for assertions.</summary>
    internal sealed class CollectingLog : IHuntLog
    {
        private readonly object gate = new object();
        public List<string> Verbose { get; } = new List<string>();
        public List<string> Warnings { get; } = new List<string>();
        public List<EvidenceRowError> Rejected { get; } = new List<EvidenceRowError>();
        public List<(string Activity, string Status, int Percent)> Progress { get; } = new List<(string, string, int)>();

        void IHuntLog.Verbose(string message) { lock (gate) Verbose.Add(message); }
        void IHuntLog.Warning(string message) { lock (gate) Warnings.Add(message); }
        void IHuntLog.RowRejected(EvidenceRowError error) { lock (gate) Rejected.Add(error); }
        void IHuntLog.Progress(string activity, string status, int percent) { lock (gate) Progress.Add((activity, status, percent)); }
    }

    /// <summary>A directory under the temp folder, deleted with the test.</summary>
    internal sealed class TempDir : IDisposable
    {
        public TempDir()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rch-readers-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public string Write(string name, string text, Encoding? encoding = null)
        {
            var path = File(name);
            System.IO.File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
            return path;
        }

        public string WriteBytes(string name, byte[] bytes)
        {
            var path = File(name);
            System.IO.File.WriteAllBytes(path, bytes);
            return path;
        }

        public string CopyFixture(string fixture, string? name = null)
        {
            var path = File(name ?? fixture);
            System.IO.File.Copy(Fixtures.Path(fixture), path);
            return path;
        }

        public void Dispose()
        {
            try { Directory.Delete(Path, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    internal static class Fixtures
    {
        public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "Readers", name);

        /// <summary>The repository's samples/ folder (found upwards from the test binaries).</summary>
        public static string SamplesDir()
        {
            var dir = AppContext.BaseDirectory;
            while (!Directory.Exists(System.IO.Path.Combine(dir, "samples")))
                dir = System.IO.Path.GetDirectoryName(dir) ?? throw new DirectoryNotFoundException("samples/ not found above " + AppContext.BaseDirectory);
            return System.IO.Path.Combine(dir, "samples");
        }

        public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

        public static string Text(string name) => File.ReadAllText(Path(name));

        public static byte[] Gzip(byte[] data)
        {
            using var ms = new MemoryStream();
            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(data, 0, data.Length);
            return ms.ToArray();
        }

        /// <summary>The text re-encoded with a byte order mark.</summary>
        public static byte[] Encode(string text, Encoding encoding) => encoding.GetPreamble().Concat(encoding.GetBytes(text)).ToArray();
    }
}
