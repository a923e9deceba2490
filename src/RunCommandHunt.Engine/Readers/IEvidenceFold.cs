using System.Collections.Generic;
using RunCommandHunt.Engine.Model;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>
    /// What a stage keeps of a table's records, taken as they are read (<see cref="EvidenceReader"/>'s Fold methods)
    /// instead of a list of them. A reader that reads ahead on another core (a later file, the second half of a large
    /// file) folds those records into a part of its own and appends it in order, so that the result is the one a single
    /// reader gives and no read-ahead record is held whole.
    /// </summary>
    public interface IEvidenceFold<T> where T : class
    {
        void Add(T record);

        /// <summary>An empty fold of the same kind, for the records of a later part of the input.</summary>
        IEvidenceFold<T> NewPart();

        /// <summary>This part's records were numbered from the start of the part: move their lines on.</summary>
        void ShiftLines(long lines);

        /// <summary>Takes a later part (made by <see cref="NewPart"/>) as if its records had been added after these.</summary>
        void Append(IEvidenceFold<T> later);
    }

    /// <summary>The records themselves, in order: what the enumerating readers hand on.</summary>
    internal sealed class RecordList<T> : IEvidenceFold<T> where T : class
    {
        public readonly List<T> Records = new List<T>();

        public void Add(T record) => Records.Add(record);

        public IEvidenceFold<T> NewPart() => new RecordList<T>();

        public void ShiftLines(long lines)
        {
            foreach (var r in Records) Shift(r, lines);
        }

        public void Append(IEvidenceFold<T> later) => Records.AddRange(((RecordList<T>)later).Records);

        internal static void Shift(T record, long lines)
        {
            switch (record)
            {
                case AzureActivityRecord a: a.Origin = a.Origin.MovedOn(lines); break;
                case DeviceFileEventRecord f: f.Origin = f.Origin.MovedOn(lines); break;
                case DeviceEventRecord d: d.Origin = d.Origin.MovedOn(lines); break;
                case DeviceProcessEventRecord p: p.Origin = p.Origin.MovedOn(lines); break;
                default: throw new System.InvalidOperationException($"{typeof(T)} has no line to shift");
            }
        }
    }
}
