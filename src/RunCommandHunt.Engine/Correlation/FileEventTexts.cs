using System;
using System.Collections.Generic;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// The script writes a hunt keeps repeat their texts: a few handler paths, scripts and accounts on every machine,
    /// each machine's name on each of its writes. The reader's string pool shares a value only while it stays in its
    /// bounded table; this gives every kept record the one copy of each text, once the table is read.
    /// </summary>
    public static class FileEventTexts
    {
        public static void Share(IEnumerable<DeviceFileEventRecord> records)
        {
            if (records == null) throw new ArgumentNullException(nameof(records));
            var texts = new Dictionary<string, string>(StringComparer.Ordinal);
            string S(string s)
            {
                if (s.Length == 0) return s;
                if (texts.TryGetValue(s, out var held)) return held;
                texts.Add(s, s);
                return s;
            }
            foreach (var r in records)
            {
                r.DeviceId = S(r.DeviceId);
                r.DeviceName = S(r.DeviceName);
                r.ActionType = S(r.ActionType);
                r.FileName = S(r.FileName);
                r.FolderPath = S(r.FolderPath);
                r.SHA256 = S(r.SHA256);
                r.InitiatingProcessFileName = S(r.InitiatingProcessFileName);
                r.InitiatingProcessAccountName = S(r.InitiatingProcessAccountName);
                r.InitiatingProcessAccountDomain = S(r.InitiatingProcessAccountDomain);
                r.InitiatingProcessFolderPath = S(r.InitiatingProcessFolderPath);
                r.InitiatingProcessCommandLine = S(r.InitiatingProcessCommandLine);
            }
        }
    }
}
