using CsCheck;
using RunCommandHunt.Engine.Correlation;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>The operation fold holds Authorization as a <see cref="CompactText"/>: it must give the text back and
    /// tell texts apart exactly as ordinal string comparison does, lone surrogates and non-ASCII text included.</summary>
    public class CompactTextProperties
    {
        private static readonly Gen<string> Texts = Gen.String[Gen.Char["{}\":/aAé\u00ff\u0100\ud800\udc00 "], 0, 8];

        [Fact]
        public void Of_ShouldGiveTheTextBack()
        {
            Texts.Sample(t => Assert.Equal(t, CompactText.Text(CompactText.Of(t))), iter: 5000);
        }

        [Fact]
        public void Comparer_ShouldEqualOrdinalComparisonOfTheTexts()
        {
            Gen.Select(Texts, Texts).Sample((a, b) =>
            {
                var (x, y) = (CompactText.Of(a), CompactText.Of(b));
                Assert.Equal(string.Equals(a, b, System.StringComparison.Ordinal), CompactText.Comparer.Instance.Equals(x, y));
                Assert.True(CompactText.Comparer.Instance.Equals(x, CompactText.Of(a)));
                Assert.Equal(CompactText.Comparer.Instance.GetHashCode(x), CompactText.Comparer.Instance.GetHashCode(CompactText.Of(a)));
                // A text's string finds its compact, and no other.
                Assert.Equal(string.Equals(a, b, System.StringComparison.Ordinal), CompactText.Comparer.Instance.Equals(a, y));
                Assert.Equal(string.Equals(a, b, System.StringComparison.Ordinal), CompactText.Comparer.Instance.Equals(y, a));
                Assert.Equal(CompactText.Comparer.Instance.GetHashCode(a), CompactText.Comparer.Instance.GetHashCode(x));
            }, iter: 5000);
        }
    }
}
