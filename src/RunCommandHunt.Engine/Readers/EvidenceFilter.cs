using System;

namespace RunCommandHunt.Engine.Readers
{
    /// <summary>
    /// Which records of a table a reader yields: <see cref="Keep"/> decides on the mapped record; the optional
    /// <see cref="Prefilter"/> must hold for every record <see cref="Keep"/> keeps, and lets the reader pass over the
    /// other rows before mapping them. Counts stay the same with or without it.
    /// </summary>
    public sealed class EvidenceFilter<T> where T : class
    {
        public EvidenceFilter(Func<T, bool>? keep, RowPrefilter? prefilter = null)
        {
            Keep = keep;
            Prefilter = prefilter;
        }

        /// <summary>Null keeps every row.</summary>
        public Func<T, bool>? Keep { get; }

        public RowPrefilter? Prefilter { get; }
    }
}
