using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CsCheck;
using RunCommandHunt.Engine.Tests.Oracle;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Compatibility
{
    /// <summary>On random evidence the engine in a seed mode returns what the oracle returns, every projected
    /// column compared (datetimes to the tick, Prevalence to the bit).</summary>
    public sealed class EngineOracleProperties
    {
        private const long Iterations = 600;
        private static readonly OracleRunner Oracle = new OracleRunner();
        private static readonly EngineRunner Engine = new EngineRunner();

        [Fact]
        public void Operations_WhenEvidenceIsRandom_ShouldMatchTheOracleInBothModes()
        {
            EvidenceGenerator.Sets.Sample(e =>
            {
                foreach (var mode in new[] { CompatibilityMode.HuntingQuery, CompatibilityMode.AnalyticRule })
                {
                    AssertSameMultiset(Oracle.Operations(e, mode), Engine.Operations(e, mode), mode.ToString());
                }
            }, iter: Iterations, print: EvidenceGenerator.Describe);
        }

        [Fact]
        public void HuntingQuery_WhenEvidenceIsRandom_ShouldMatchTheOracleRowForRow()
        {
            long samplesWithRows = 0;
            EvidenceGenerator.Sets.Sample(e =>
            {
                var expected = Oracle.HuntingQuery(e);
                var actual = Engine.HuntingQuery(e);

                // order by StartTime asc; the order of rows with equal StartTime is undefined, so they compare as a multiset.
                for (var i = 1; i < actual.Count; i++)
                {
                    Assert.True(actual[i - 1].StartTime <= actual[i].StartTime,
                        $"Row {i} starts at {actual[i].StartTime:o}, before row {i - 1} at {actual[i - 1].StartTime:o}.");
                }
                Assert.Equal(expected.Select(r => r.StartTime), actual.Select(r => r.StartTime));
                AssertSameMultiset(expected, actual, "HuntingQuery");
                if (expected.Count > 0) Interlocked.Increment(ref samplesWithRows);
            }, iter: Iterations, print: EvidenceGenerator.Describe);

            // The generator must reach the interesting cases, or the property proves little.
            Assert.True(samplesWithRows > Iterations / 10, $"Only {samplesWithRows} of {Iterations} samples produced rows.");
        }

        [Fact]
        public void AnalyticRule_WhenEvidenceIsRandom_ShouldMatchTheOracleAsAMultiset()
        {
            long samplesWithRows = 0;
            EvidenceGenerator.Sets.Sample(e =>
            {
                var expected = Oracle.AnalyticRule(e);
                // The rule's result order is undefined (its last operator is a join).
                AssertSameMultiset(expected, Engine.AnalyticRule(e), "AnalyticRule");
                if (expected.Count > 0) Interlocked.Increment(ref samplesWithRows);
            }, iter: Iterations, print: EvidenceGenerator.Describe);

            Assert.True(samplesWithRows > Iterations / 10, $"Only {samplesWithRows} of {Iterations} samples produced rows.");
        }

        /// <summary>Rows compare through their full text (every column); sorted ordinally so that equal multisets
        /// give equal lists and a failure shows the differing rows.</summary>
        private static void AssertSameMultiset<T>(IEnumerable<T> expected, IEnumerable<T> actual, string what)
        {
            var e = expected.Select(r => r!.ToString()!).OrderBy(s => s, StringComparer.Ordinal).ToList();
            var a = actual.Select(r => r!.ToString()!).OrderBy(s => s, StringComparer.Ordinal).ToList();
            if (!e.SequenceEqual(a, StringComparer.Ordinal))
            {
                throw new Xunit.Sdk.XunitException(what + ": engine differs from the oracle." + Environment.NewLine
                    + "Only in oracle:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", Except(e, a)) + Environment.NewLine
                    + "Only in engine:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", Except(a, e)));
            }
        }

        /// <summary>Multiset difference: each row of <paramref name="from"/> not matched one-for-one in <paramref name="other"/>.</summary>
        private static List<string> Except(List<string> from, List<string> other)
        {
            var left = other.ToList();
            var result = new List<string>();
            foreach (var s in from)
            {
                var i = left.IndexOf(s);
                if (i >= 0) left.RemoveAt(i);
                else result.Add(s);
            }
            return result;
        }
    }
}
