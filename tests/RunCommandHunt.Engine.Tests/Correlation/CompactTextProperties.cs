using System;
using System.Collections.Generic;
using CsCheck;
using RunCommandHunt.Engine.Correlation;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    /// <summary>The operation fold holds Authorization as a <see cref="CompactText"/>: it must give the text back and
    /// tell texts apart exactly as ordinal string comparison does, in all its forms (cut around a scope value, ASCII
    /// bytes, the string), with escapes, unclosed values, non-ASCII text and lone surrogates.</summary>
    public class CompactTextProperties
    {
        private static readonly Gen<string> Texts = Gen.OneOfConst(
                "{\"action\":\"run\",", "\"scope\":\"", "\"scope\":", "/subscriptions/s1/vm1", "/vm2", "\"", "\\", "\\/", "}", "a", "é", "\ud800", "")
            .Array[0, 6].Select(parts => string.Concat(parts));

        /// <summary>Texts that are cut, most of them alike but for one piece.</summary>
        private static readonly Gen<string> ScopedTexts = Gen.Select(
            Gen.OneOfConst("{", "{\"a\":1,", "{\"b\":1,"),
            Gen.OneOfConst("/s/vm1", "/s/vm2", "/s/vm", "", "é"),
            Gen.OneOfConst("\"}", "\"a}", "\"é}", "\"b}", "\"", "\"\ud800}"),
            (before, scope, after) => before + "\"scope\":\"" + scope + after);

        private static object Of(string text, Dictionary<string, string> shared) =>
            CompactText.Of(text, s => shared.TryGetValue(s, out var held) ? held : shared[s] = s);

        [Fact]
        public void Of_ShouldGiveTheTextBack()
        {
            var shared = new Dictionary<string, string>(StringComparer.Ordinal);
            Texts.Sample(t => Assert.Equal(t, CompactText.Text(Of(t, shared))), iter: 5000);
        }

        [Fact]
        public void Comparer_ShouldEqualOrdinalComparisonOfTheTexts()
        {
            var c = CompactText.Comparer.Instance;
            Gen.Select(Gen.OneOf(Texts, ScopedTexts), Gen.OneOf(Texts, ScopedTexts)).Sample((a, b) =>
            {
                // Two tables: equal texts must match whether or not their pieces are the same objects.
                var (x, y) = (Of(a, new Dictionary<string, string>()), Of(b, new Dictionary<string, string>()));
                bool equal = string.Equals(a, b, StringComparison.Ordinal);
                Assert.Equal(equal, c.Equals(x, y));
                Assert.True(c.Equals(x, Of(a, new Dictionary<string, string>())));
                Assert.Equal(c.GetHashCode(x), c.GetHashCode(Of(a, new Dictionary<string, string>())));
                // A text's string finds its compact, and no other.
                Assert.Equal(equal, c.Equals(a, y));
                Assert.Equal(equal, c.Equals(y, a));
                Assert.Equal(c.GetHashCode(a), c.GetHashCode(x));
            }, iter: 5000);
        }

        [Fact]
        public void Of_WhenTheTextHasAScope_ShouldShareItsPieces()
        {
            var shared = new Dictionary<string, string>(StringComparer.Ordinal);
            var a = Assert.IsType<CompactText.Pieces>(Of("{\"action\":\"x\",\"scope\":\"/s/vm1\",\"evidence\":{}}", shared));
            var b = Assert.IsType<CompactText.Pieces>(Of("{\"action\":\"x\",\"scope\":\"/s/vm1\",\"evidence\":{\"role\":\"r\"}}", shared));
            Assert.Same(a.Before, b.Before);
            Assert.Same(a.Scope, b.Scope);
            Assert.Equal("/s/vm1", a.Scope);
            Assert.IsType<byte[]>(Of("{\"scope\":\"/s/\\u0076m1\"}", shared)); // an escape in the value: not cut
        }
    }
}
