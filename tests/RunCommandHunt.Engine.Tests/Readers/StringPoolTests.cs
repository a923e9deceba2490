using System.Linq;
using System.Text;
using CsCheck;
using RunCommandHunt.Engine.Readers.Formats;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    public class StringPoolTests
    {
        [Fact]
        public void Get_WhenSameBytesAgain_ShouldGiveTheSameString()
        {
            var pool = new StringPool();
            var bytes = Encoding.UTF8.GetBytes("xx vm01.contoso.local yy vm01.contoso.local");
            var first = pool.Get(bytes, 3, 18, false);
            var second = pool.Get(bytes, 25, 18, false);
            Assert.Equal("vm01.contoso.local", first);
            Assert.Same(first, second);
        }

        [Fact]
        public void Get_WhenEscapedOrLong_ShouldDecodeAsTheField()
        {
            var pool = new StringPool();
            var quoted = Encoding.UTF8.GetBytes("{\"\"Command\"\":\"\"Get-Process\"\"}");
            Assert.Equal("{\"Command\":\"Get-Process\"}", pool.Get(quoted, 0, quoted.Length, true));
            var longText = new string('é', StringPool.MaxBytes);
            var longBytes = Encoding.UTF8.GetBytes(longText);
            Assert.Equal(longText, pool.Get(longBytes, 0, longBytes.Length, false));
            Assert.Equal("", pool.Get(longBytes, 5, 0, false));
        }

        [Fact]
        public void Get_WhenManyValuesShareSlots_ShouldAlwaysGiveTheFieldsOwnText()
        {
            // Eight slots for up to 200 values: most lookups land on a slot another value holds.
            // 'Ã' and '©' are the chars of é's two UTF-8 bytes read one by one: a byte compare must not take one for the other.
            Gen.String[Gen.Char["abcéÃ©\","], 0, 12].Array[1, 200].Sample(texts =>
            {
                var pool = new StringPool(8);
                foreach (var t in texts.Concat(texts.Reverse()))
                {
                    var bytes = Encoding.UTF8.GetBytes("#" + t + "#");
                    Assert.Equal(t, pool.Get(bytes, 1, bytes.Length - 2, false));
                    // The same value as a quoted CSV field, its quotes doubled.
                    var quoted = Encoding.UTF8.GetBytes("#" + t.Replace("\"", "\"\"") + "#");
                    Assert.Equal(t, pool.Get(quoted, 1, quoted.Length - 2, true));
                }
            }, iter: 300);
        }
    

        [Theory]
        [InlineData("Ã©", "é", false)] // é's two UTF-8 bytes are the chars of "Ã©"
        [InlineData("é", "Ã©", false)]
        [InlineData("a\"b", "a\"\"b", true)] // the quoted field a""b is a"b
        [InlineData("a\"\"b", "a\"\"\"\"b", true)]
        [InlineData("x\"", "x\"\"\"", true)] // a quote left alone after a pair stays
        [InlineData("a\"c", "a\"bc", true)] // and the byte after a lone quote is compared
        public void Get_WhenTheSlotHoldsAnotherValue_ShouldGiveTheFieldsOwnText(string held, string field, bool escaped)
        {
            var pool = new StringPool(1);
            var heldBytes = Encoding.UTF8.GetBytes(held);
            Assert.Equal(held, pool.Get(heldBytes, 0, heldBytes.Length, false));
            var bytes = Encoding.UTF8.GetBytes(field);
            var expected = escaped ? field.Replace("\"\"", "\"") : field;
            Assert.Equal(expected, pool.Get(bytes, 0, bytes.Length, escaped));
        }

        [Fact]
        public void Get_WhenAnEscapedFieldIsHeld_ShouldGiveTheSameString()
        {
            var pool = new StringPool(1);
            var bytes = Encoding.UTF8.GetBytes("{\"\"Command\"\":\"\"Get-Date\"\"}");
            var first = pool.Get(bytes, 0, bytes.Length, true);
            Assert.Same(first, pool.Get(bytes, 0, bytes.Length, true));
        }
    }
}
