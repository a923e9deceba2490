using System;
using System.Globalization;
using System.Text.Json;
using CsCheck;
using RunCommandHunt.Engine.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    public class EvidenceValuesTests
    {
        private static DateTime Utc(int y, int mo, int d, int h, int mi, int s, long extraTicks = 0) =>
            new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc).AddTicks(extraTicks);

        [Theory]
        [InlineData("2023-06-09T10:45:31.9521234Z", 9521234)]
        [InlineData("2023-06-09T10:45:31.0000001Z", 1)]
        [InlineData("2023-06-09T10:45:31.952Z", 9520000)]
        [InlineData("2023-06-09T10:45:31.9Z", 9000000)]
        [InlineData("2023-06-09T10:45:31Z", 0)]
        [InlineData("2023-06-09T10:45:31.95212349Z", 9521234)]
        public void TryParseDateTime_WhenIsoWithFraction_ShouldKeepEveryTick(string text, long ticks)
        {
            Assert.True(EvidenceValues.TryParseDateTime(text, out var utc));
            Assert.Equal(DateTimeKind.Utc, utc.Kind);
            Assert.Equal(Utc(2023, 6, 9, 10, 45, 31, ticks).Ticks, utc.Ticks);
        }

        [Theory]
        [InlineData("2023-06-09T12:45:31.5+02:00", 10, 9)]
        [InlineData("2023-06-09T05:45:31.5-05:00", 10, 9)]
        [InlineData("2023-06-09T12:45:31.5+0200", 10, 9)]
        [InlineData("2023-06-10T00:15:31.5+13:30", 10, 9)]
        [InlineData("2023-06-08T23:45:31.5-11:00", 10, 9)]
        public void TryParseDateTime_WhenOffset_ShouldConvertToUtc(string text, int hour, int day)
        {
            Assert.True(EvidenceValues.TryParseDateTime(text, out var utc));
            Assert.Equal(new DateTime(2023, 6, day, hour, 45, 31, 500, DateTimeKind.Utc), utc);
            Assert.Equal(DateTimeKind.Utc, utc.Kind);
        }

        [Theory]
        [InlineData("2023-06-09T10:45:31.25")]
        [InlineData("2023-06-09 10:45:31.25")]
        [InlineData("  2023-06-09T10:45:31.25  ")]
        public void TryParseDateTime_WhenNoZone_ShouldTreatAsUtc(string text)
        {
            Assert.True(EvidenceValues.TryParseDateTime(text, out var utc));
            Assert.Equal(new DateTime(2023, 6, 9, 10, 45, 31, 250, DateTimeKind.Utc), utc);
        }

        [Theory]
        [InlineData("6/9/2023, 10:45:31.952 AM", 10, 45, 31, 952)]
        [InlineData("6/9/2023 10:45:31 AM", 10, 45, 31, 0)]
        [InlineData("06/09/2023, 10:45:31.952 PM", 22, 45, 31, 952)]
        [InlineData("6/9/2023, 12:00:01.000 AM", 0, 0, 1, 0)]
        [InlineData("6/9/2023, 12:30:00 PM", 12, 30, 0, 0)]
        [InlineData("6/9/2023, 10:45:31\u202FAM", 10, 45, 31, 0)]
        [InlineData("6/9/2023 22:45:31", 22, 45, 31, 0)]
        public void TryParseDateTime_WhenPortalFormat_ShouldParseAsUtc(string text, int h, int mi, int s, int ms)
        {
            Assert.True(EvidenceValues.TryParseDateTime(text, out var utc));
            Assert.Equal(new DateTime(2023, 6, 9, h, mi, s, ms, DateTimeKind.Utc), utc);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("yesterday")]
        [InlineData("2023-02-29T00:00:00Z")]
        [InlineData("2023-13-01T00:00:00Z")]
        [InlineData("2023-06-09T24:00:00Z")]
        [InlineData("2023-06-09T10:45:31.Z")]
        [InlineData("2023-06-09T10:45:31Zjunk")]
        [InlineData("2023-06-09T10:45:31+15:00")]
        [InlineData("13/9/2023, 1:00:00 PM")]
        [InlineData("6/9/2023, 13:00:00 PM")]
        [InlineData("6/9/2023, 0:00:00 AM")]
        [InlineData("0001-01-01T00:00:00+01:00")]
        public void TryParseDateTime_WhenNotADatetime_ShouldFail(string? text)
        {
            Assert.False(EvidenceValues.TryParseDateTime(text, out _));
        }

        [Fact]
        public void FormatDateTime_WhenAnyInstant_ShouldRoundTripThroughTryParseDateTime()
        {
            Gen.Long[0, DateTime.MaxValue.Ticks].Sample(ticks =>
            {
                var utc = new DateTime(ticks, DateTimeKind.Utc);
                var text = EvidenceValues.FormatDateTime(utc);
                Assert.Equal(28, text.Length);
                Assert.Equal(utc.ToString("o", CultureInfo.InvariantCulture), text);
                Assert.True(EvidenceValues.TryParseDateTime(text, out var back));
                Assert.Equal(ticks, back.Ticks);
            });
        }

        [Fact]
        public void TryParseDateTime_WhenRoundTripFormatWithOffset_ShouldAgreeWithDateTimeOffset()
        {
            Gen.Select(Gen.Long[DateTime.MinValue.Ticks + TimeSpan.TicksPerDay, DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay], Gen.Int[-14 * 60, 14 * 60])
                .Sample((ticks, offsetMinutes) =>
                {
                    var dto = new DateTimeOffset(new DateTime(ticks), TimeSpan.FromMinutes(offsetMinutes));
                    var text = dto.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);
                    Assert.True(EvidenceValues.TryParseDateTime(text, out var utc), text);
                    Assert.Equal(dto.UtcDateTime.Ticks, utc.Ticks);
                });
        }

        [Theory]
        [InlineData("123", 123L)]
        [InlineData("-42", -42L)]
        [InlineData("+7", 7L)]
        [InlineData(" 5151 ", 5151L)]
        [InlineData("1234.0", 1234L)]
        [InlineData("1234.000", 1234L)]
        [InlineData("1.5E+3", 1500L)]
        [InlineData("9223372036854775807", long.MaxValue)]
        [InlineData("-9223372036854775808", long.MinValue)]
        public void TryParseLong_WhenWholeNumber_ShouldParse(string text, long expected)
        {
            Assert.True(EvidenceValues.TryParseLong(text, out var value));
            Assert.Equal(expected, value);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("  ")]
        public void TryParseLong_WhenEmpty_ShouldGiveNull(string? text)
        {
            Assert.True(EvidenceValues.TryParseLong(text, out var value));
            Assert.Null(value);
        }

        [Theory]
        [InlineData("12kb")]
        [InlineData("1.5")]
        [InlineData("9223372036854775808")]
        [InlineData("0x10")]
        [InlineData("--1")]
        [InlineData("1 2")]
        public void TryParseLong_WhenNotAWholeNumber_ShouldFail(string text)
        {
            Assert.False(EvidenceValues.TryParseLong(text, out _));
        }

        [Fact]
        public void TryParseLong_WhenAnyLongAsText_ShouldRoundTrip()
        {
            Gen.Long.Sample(n =>
            {
                Assert.True(EvidenceValues.TryParseLong(n.ToString(CultureInfo.InvariantCulture), out var back));
                Assert.Equal(n, back);
            });
        }

        [Theory]
        [InlineData("\"Get-Process\"", "Get-Process")]
        [InlineData("\"a\\\"b\\\\c\\n\"", "a\"b\\c\n")]
        [InlineData("42", "42")]
        [InlineData("2.50", "2.50")]
        [InlineData("true", "true")]
        [InlineData("false", "false")]
        [InlineData("null", "")]
        [InlineData("{ \"b\" : [ 1 , \"x\" ] , \"a\" : null }", "{\"b\":[1,\"x\"],\"a\":null}")]
        [InlineData("[\"caf\\u00e9\", \"\\u5b57\", \"C:\\\\temp\", \"a/b\"]", "[\"café\",\"字\",\"C:\\\\temp\",\"a/b\"]")]
        [InlineData("{\"t\":\"a\\tb\\u0001\\r\"}", "{\"t\":\"a\\tb\\u0001\\r\"}")]
        [InlineData("{\"html\":\"<b>&'+\"}", "{\"html\":\"<b>&'+\"}")]
        public void KustoToString_WhenDynamicValue_ShouldGiveKustoText(string json, string expected)
        {
            using var doc = JsonDocument.Parse(json);
            Assert.Equal(expected, EvidenceValues.KustoToString(doc.RootElement));
        }
    }
}
