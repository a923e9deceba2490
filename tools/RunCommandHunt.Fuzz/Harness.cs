using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Readers;

namespace RunCommandHunt.Fuzz
{
    /// <summary>
    /// One fuzzing run: the input bytes as an evidence file, resolved as any table and read to the end. Rows rejected
    /// and an EvidenceException naming the file are the readers doing their job; any other exception, an error that
    /// does not name the file, or counts that do not add up (read != used + filtered + rejected) is a crash.
    /// </summary>
    public static class Harness
    {
        private static readonly string Dir = Path.Combine(Path.GetTempPath(), "rch-fuzz-" + Environment.ProcessId);
        private static readonly string Input = Path.Combine(Dir, "input");
        private static readonly bool IgnoreInvalidUtf8 =
            (Environment.GetEnvironmentVariable("RCH_FUZZ_KNOWN") ?? "").Split(',').Contains("invalid-utf8");

        public sealed class Result
        {
            public long Rows;
            public long Rejected;
            /// <summary>The EvidenceException's reason when the file was refused.</summary>
            public string? Refused;
        }

        public static Result Run(byte[] data)
        {
            Directory.CreateDirectory(Dir);
            File.WriteAllBytes(Input, data);
            var log = new Log();
            var reader = new EvidenceReader(log);
            var result = new Result();
            long n = 0;
            bool Keep<T>(T _) => ++n % 2 == 0;
            try
            {
                foreach (var file in reader.Resolve(new[] { Input }))
                {
                    switch (file.Table)
                    {
                        case EvidenceTable.AzureActivity: reader.ReadAzureActivity(new[] { file }, Keep).Count(); break;
                        case EvidenceTable.DeviceFileEvents: reader.ReadDeviceFileEvents(new[] { file }, Keep).Count(); break;
                        case EvidenceTable.DeviceEvents: reader.ReadDeviceEvents(new[] { file }, Keep).Count(); break;
                        default: reader.ReadDeviceProcessEvents(new[] { file }, Keep).Count(); break;
                    }
                }
            }
            catch (EvidenceException ex)
            {
                if (ex.Source != Input || !ex.Message.Contains(Input, StringComparison.Ordinal))
                    throw new HarnessFailure($"an EvidenceException that does not name the file: {ex.Message}", ex);
                result.Refused = ex.Reason;
            }
            catch (InvalidOperationException ex) when (IgnoreInvalidUtf8 && ex.InnerException is System.Text.DecoderFallbackException)
            {
                // A known, reported bug (invalid UTF-8 inside a JSON string); set RCH_FUZZ_KNOWN=invalid-utf8 to look past it.
                result.Refused = "KnownInvalidUtf8";
                return result;
            }
            foreach (var s in reader.Statistics)
            {
                if (s.Read != s.Used + s.Filtered + s.Rejected) throw new HarnessFailure($"counts do not add up: {s}");
                if (s.Rejected != log.Rejected.Count) throw new HarnessFailure($"{s}, but {log.Rejected.Count} row error(s) logged");
                result.Rows += s.Read;
                result.Rejected += s.Rejected;
            }
            var unnamed = log.Rejected.FirstOrDefault(e => e.Line <= 0 || e.Source != Input);
            if (unnamed != null) throw new HarnessFailure($"a row error without the file and a line: {unnamed}");
            return result;
        }

        public static void Cleanup()
        {
            try { if (Directory.Exists(Dir)) Directory.Delete(Dir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }

        private sealed class Log : IHuntLog
        {
            public readonly List<EvidenceRowError> Rejected = new List<EvidenceRowError>();
            public void Verbose(string message) { }
            public void Warning(string message) { }
            public void RowRejected(EvidenceRowError error) => Rejected.Add(error);
            public void Progress(string activity, string status, int percent) { }
        }
    }

    /// <summary>A broken reader invariant: a crash as far as the fuzzer is concerned.</summary>
    public sealed class HarnessFailure : Exception
    {
        public HarnessFailure(string message, Exception? inner = null) : base(message, inner) { }
    }
}
