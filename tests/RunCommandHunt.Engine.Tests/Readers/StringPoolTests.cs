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
            Gen.String[Gen.Char["abcé\","], 0, 12].Array[1, 200].Sample(texts =>
            {
                var pool = new StringPool(8);
                foreach (var t in texts.Concat(texts.Reverse()))
                {
                    var bytes = Encoding.UTF8.GetBytes("#" + t + "#");
                    Assert.Equal(t, pool.Get(bytes, 1, bytes.Length - 2, false));
                }
            }, iter: 300);
        }
    }
}
