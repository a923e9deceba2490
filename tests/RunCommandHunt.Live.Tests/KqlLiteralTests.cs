using System;
using System.Linq;
using CsCheck;
using RunCommandHunt.Engine.Kql;
using RunCommandHunt.Live.Tests.Support;
using Xunit;

namespace RunCommandHunt.Live.Tests
{
    public class KqlLiteralTests
    {
        public static readonly TheoryData<string> Hostile = new TheoryData<string>
        {
            "vm\" | take 10 //",
            "vm' or 1==1 //",
            "C:\\Packages\\Plugins\\script1.ps1",
            "ends with a backslash\\",
            "\\\" | where true",
            "line1\nline2",
            "carriage\rreturn\r\n| project Secret",
            "tab\tseparated",
            "// comment",
            "a | b | c",
            "@\"verbatim\"",
            "h\"obfuscated\"",
            "```multi```",
            "emoji 🛡️ and ünïcödé",
            "",
        };

        [Theory]
        [MemberData(nameof(Hostile))]
        public void String_WhenValueIsHostile_ShouldStayOneLiteralAndDecodeToTheValue(string value)
        {
            var literal = KqlLiteral.String(value);

            Assert.StartsWith("\"", literal);
            Assert.DoesNotContain('\n', literal);
            Assert.DoesNotContain('\r', literal);
            Assert.Equal(value, KqlLexer.DecodeSingle(literal));
        }

        [Theory]
        [MemberData(nameof(Hostile))]
        public void String_WhenSplicedIntoAQuery_ShouldNotAddOperatorsOrComments(string value)
        {
            var query = "DeviceEvents\n| where DeviceName == " + KqlLiteral.String(value) + "\n| project DeviceName";

            var code = KqlLexer.CodeOnly(query);
            Assert.Equal("DeviceEvents\n| where DeviceName == <lit>\n| project DeviceName", code);
            Assert.DoesNotContain(KqlLexer.Tokenize(query), s => s.Kind == KqlLexer.Kind.Comment);
        }

        [Fact]
        public void String_WhenAnyPrintableText_ShouldRoundTrip()
        {
            // Any text without the refused control characters survives as one literal.
            Gen.String[Gen.Char.AlphaNumeric, 0, 40]
                .Select(Gen.String[Gen.Char["\"'\\|/\n\r\t@h` ;"], 0, 10], (a, b) => a + b)
                .Sample(s => KqlLexer.DecodeSingle(KqlLiteral.String(s)) == s, iter: 2000);
        }

        [Theory]
        [InlineData("nul\0char", "U+0000", 4)]
        [InlineData("bell\achar", "U+0007", 5)]
        [InlineData("escape\u001b[0m", "U+001B", 7)]
        [InlineData("line\u2028separator", "U+2028", 5)]
        [InlineData("next\u0085line", "U+0085", 5)]
        public void String_WhenValueHasAControlCharacter_ShouldRefuseNamingTheCharacterAndPosition(string value, string code, int position)
        {
            var ex = Assert.Throws<KqlLiteralException>(() => KqlLiteral.String(value, "MachineName"));

            Assert.Contains(code, ex.Message);
            Assert.Contains("position " + position, ex.Message);
            Assert.Equal("MachineName", ex.ParamName);
            Assert.Equal(value, ex.Value);
        }

        [Fact]
        public void String_WhenValueHasALoneSurrogate_ShouldRefuse()
        {
            var ex = Assert.Throws<KqlLiteralException>(() => KqlLiteral.String("bad\uD800x"));
            Assert.Contains("surrogate", ex.Message);
        }

        [Fact]
        public void String_WhenValueIsTooLong_ShouldRefuse()
        {
            var ex = Assert.Throws<KqlLiteralException>(() => KqlLiteral.String(new string('a', KqlLiteral.MaxLength + 1)));
            Assert.Contains((KqlLiteral.MaxLength + 1).ToString(), ex.Message);
        }

        [Theory]
        [InlineData("plain")]
        [InlineData("with \"quotes\"")]
        [InlineData("back\\slash\\")]
        [InlineData("pipe | and // slashes")]
        public void ObfuscatedVerbatim_WhenValueHasQuotesOrBackslashes_ShouldDecodeToTheValue(string value)
        {
            var literal = KqlLiteral.ObfuscatedVerbatim(value);

            Assert.StartsWith("h@\"", literal);
            Assert.Equal(value, KqlLexer.DecodeSingle(literal));
        }

        [Fact]
        public void ObfuscatedVerbatim_WhenValueHasALineBreak_ShouldRefuse()
        {
            Assert.Throws<KqlLiteralException>(() => KqlLiteral.ObfuscatedVerbatim("a\nb"));
        }

        [Fact]
        public void DateTime_WhenUtc_ShouldWriteSevenFractionDigits()
        {
            var t = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
            Assert.Equal("datetime(2024-05-01T10:00:00.1234567Z)", KqlLiteral.DateTime(t));
        }

        [Fact]
        public void DateTime_WhenLocal_ShouldConvertToUtc()
        {
            var utc = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);
            Assert.Equal(KqlLiteral.DateTime(utc), KqlLiteral.DateTime(utc.ToLocalTime()));
        }

        [Fact]
        public void DateTime_WhenUnspecified_ShouldTakeItAsUtc()
        {
            var t = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Unspecified);
            Assert.Equal("datetime(2024-05-01T10:00:00.0000000Z)", KqlLiteral.DateTime(t));
        }

        [Fact]
        public void GuidString_WhenValid_ShouldNormalizeToLowerCase()
        {
            Assert.Equal("\"0b7c2d3e-4f50-4d5e-9a61-8f1b0a372c43\"", KqlLiteral.GuidString(" 0B7C2D3E-4F50-4D5E-9A61-8F1B0A372C43 "));
            Assert.Equal("guid(0b7c2d3e-4f50-4d5e-9a61-8f1b0a372c43)", KqlLiteral.Guid("0b7c2d3e-4f50-4d5e-9a61-8f1b0a372c43"));
        }

        [Theory]
        [InlineData("not-a-guid")]
        [InlineData("0b7c2d3e-4f50-4d5e-9a61-8f1b0a372c43\" | take 1")]
        [InlineData("{0b7c2d3e-4f50-4d5e-9a61-8f1b0a372c43}")]
        [InlineData("")]
        public void GuidString_WhenNotAGuid_ShouldRefuseNamingTheValue(string value)
        {
            var ex = Assert.Throws<KqlLiteralException>(() => KqlLiteral.GuidString(value, "CorrelationId"));
            Assert.Contains("not a GUID", ex.Message);
            Assert.Equal("CorrelationId", ex.ParamName);
        }

        [Fact]
        public void StringList_WhenEmpty_ShouldRefuse()
        {
            Assert.Throws<KqlLiteralException>(() => KqlLiteral.StringList(Array.Empty<string>()));
        }

        [Fact]
        public void StringList_WhenHostile_ShouldKeepEachValueInItsOwnLiteral()
        {
            var values = new[] { "a\"b", "c\\", "d, \"e\")" };
            var list = KqlLiteral.StringList(values);

            var literals = KqlLexer.Tokenize(list).Where(s => s.Kind == KqlLexer.Kind.Literal).Select(s => s.Value).ToArray();
            Assert.Equal(values, literals);
            Assert.Equal("(<lit>, <lit>, <lit>)", KqlLexer.CodeOnly(list));
        }

        [Fact]
        public void TimeSpan_WhenTwoHours_ShouldWriteTicks()
        {
            Assert.Equal("72000000000tick", KqlLiteral.TimeSpan(TimeSpan.FromHours(2)));
        }
    }
}
