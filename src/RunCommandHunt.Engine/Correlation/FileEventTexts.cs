using System;
using System.Collections.Generic;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// The script writes a hunt keeps repeat their texts: a few handler paths, scripts and accounts on every machine,
    /// each machine's name on each of its writes. Once the table is read, every kept record gets the one copy of each
    /// (<see cref="SharedTexts"/>).
    /// </summary>
    public static class FileEventTexts
    {
        public static void Share(IEnumerable<DeviceFileEventRecord> records)
        {
            if (records == null) throw new ArgumentNullException(nameof(records));
            var texts = new SharedTexts();
            foreach (var r in records)
            {
                r.DeviceId = texts.Share(r.DeviceId);
                r.DeviceName = texts.Share(r.DeviceName);
                r.ActionType = texts.Share(r.ActionType);
                r.FileName = texts.Share(r.FileName);
                r.FolderPath = texts.Share(r.FolderPath);
                r.SHA256 = texts.Share(r.SHA256);
                r.InitiatingProcessFileName = texts.Share(r.InitiatingProcessFileName);
                r.InitiatingProcessAccountName = texts.Share(r.InitiatingProcessAccountName);
                r.InitiatingProcessAccountDomain = texts.Share(r.InitiatingProcessAccountDomain);
                r.InitiatingProcessFolderPath = texts.Share(r.InitiatingProcessFolderPath);
                r.InitiatingProcessCommandLine = texts.Share(r.InitiatingProcessCommandLine);
            }
        }
    }
}
