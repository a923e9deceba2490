using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>The oracle's Kusto primitives against the examples in the Kusto documentation (domain.md §A) and
    /// the inferred models it spells out.</summary>
    public sealed class KqlTests
    {
        [Theory]
        [InlineData("North America", "america", true)]                 // datatypes-string-operators: has is case-insensitive
        [InlineData("KustoExplorerQueryRun", "Explorer", false)]       // not a whole term
        [InlineData("Kusto: ad67d136-c1db-4f9f-88ef-d94f3b6b0b5a;KustoExplorerQueryRun", "c1db", true)]
        [InlineData("[\"Started\",\"Accepted\",\"Succeeded\"]", "Succeeded", true)]
        [InlineData("[\"Started\",\"Accepted\",\"SUCCEEDED\"]", "Succeeded", true)]
        [InlineData("[\"Start\",\"Accept\",\"Success\"]", "Succeeded", false)]
        [InlineData("[\"Succeeded.Created\"]", "Succeeded", true)]
        [InlineData("/providers/Microsoft.Compute/virtualMachineScaleSets/ss", "virtualMachines", false)]
        public void Has_WhenRightSideIsAlphanumeric_ShouldMatchWholeTerms(string lhs, string rhs, bool expected)
        {
            Assert.Equal(expected, Kql.Has(lhs, rhs));
        }

        [Theory]
        [InlineData("powershell -File script1.ps1", true)]
        [InlineData("powershell -FILE script1.ps1", true)]
        [InlineData("powershell -file:\"x.ps1\"", true)]
        [InlineData("x-File y", true)]
        [InlineData("powershell -File", true)]
        [InlineData("powershell -FilePath script1.ps1", false)]
        [InlineData("powershell -Files script1.ps1", false)]
        [InlineData("powershell -f script1.ps1", false)]
        public void Has_WhenRightSideStartsWithPunctuation_ShouldFollowTheInferredModel(string lhs, bool expected)
        {
            // domain.md §A.1: left side unconstrained (rhs starts with '-'), right side must end the term.
            Assert.Equal(expected, Kql.Has(lhs, "-File"));
        }

        [Fact]
        public void Has_WhenLeftSideIsADynamicArray_ShouldSearchItsJsonText()
        {
            var list = new List<object?> { "Started", "Accepted", "Success" };

            Assert.False(Kql.Has(list, "Succeeded"));
            Assert.True(Kql.HasAny(list, "Succeeded", "Success"));
        }

        [Fact]
        public void Equal_WhenCaseDiffers_ShouldBeFalseButTildeTrue()
        {
            Assert.False(Kql.Equal("abc", "ABC"));
            Assert.True(Kql.NotEqual("abc", "ABC"));
            Assert.True(Kql.EqualTilde("abc", "ABC"));
            Assert.Null(Kql.Equal(null, "abc"));
        }

        [Fact]
        public void Between_WhenValueIsNull_ShouldBeNullAndBoundsInclusive()
        {
            var lo = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var hi = lo.AddMinutes(1);

            Assert.Null(Kql.Between(null, lo, hi));
            Assert.True(Kql.Between(lo, lo, hi));
            Assert.True(Kql.Between(hi, lo, hi));
            Assert.False(Kql.Between(hi.AddTicks(1), lo, hi));
            Assert.False(Kql.Between(lo.AddTicks(-1), lo, hi));
        }

        [Fact]
        public void Split_WhenIndexedOutOfRangeOrNegative_ShouldFollowDynamicAccessors()
        {
            var parts = Kql.Split("/subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/VM", "/");

            Assert.Equal("", parts[0]);
            Assert.Equal("S", Kql.ToStr(Kql.At(parts, 2)));
            Assert.Equal("VM", Kql.ToStr(Kql.At(parts, -1)));
            Assert.Null(Kql.At(parts, 99));
            Assert.Null(Kql.At(parts, -99));
            Assert.Equal(new object?[] { "" }, Kql.Split("", "_"));
            Assert.Equal("", Kql.ToStr(Kql.At(Kql.Split("5f1c8b9e-0000", "@"), 1)));
        }

        [Fact]
        public void ParseJson_WhenTextIsNotJson_ShouldKeepTheString()
        {
            Assert.Equal("not json", Kql.ParseJson("not json"));
            Assert.Null(Kql.Member(Kql.ParseJson("not json"), "scope"));
            Assert.Equal("Get-Process", Kql.Member(Kql.ParseJson("{\"Command\":\"Get-Process\"}"), "Command"));
            Assert.Null(Kql.Member(Kql.ParseJson("{\"command\":\"Get-Process\"}"), "Command"));
            Assert.Equal("", Kql.ToStr(Kql.Member(Kql.ParseJson("{}"), "Command")));
        }

        [Fact]
        public void Extract_WhenRegexIsCaseSensitive_ShouldReturnEmptyForOtherCases()
        {
            Assert.Equal("script12.ps1", Kql.Extract(SeedOracle.ScriptNamePattern, 1, "powershell -File script12.ps1"));
            Assert.Equal("script12.ps1", Kql.Extract(SeedOracle.ScriptNamePattern, 1, "powershell -File script12.ps1x"));
            Assert.Equal("", Kql.Extract(SeedOracle.ScriptNamePattern, 1, "powershell -file script12.ps1"));
            Assert.Equal("", Kql.Extract(SeedOracle.ScriptNamePattern, 1, "powershell -File script1234567890.ps1"));
            Assert.Equal("script123456789.ps1", Kql.Extract(SeedOracle.ScriptNamePattern, 1, "-File script123456789.ps1"));
        }

        [Fact]
        public void HashSha256_WhenGivenDocumentationExamples_ShouldMatch()
        {
            // hash-sha256-function examples.
            Assert.Equal("78ae647dc5544d227130a0682a51e30bc7777fbb6d8a8f17007463a3ecd1d524", Kql.HashSha256("World"));
            Assert.Equal("ba666752dc1a20eb750b0eb64e780cc4c968bc9fb8813461c1d7e750f302d71d",
                Kql.HashSha256(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
        }

        [Fact]
        public void ToStr_WhenValueIsNullOrDatetime_ShouldRenderLikeTostring()
        {
            Assert.Equal("", Kql.ToStr(null));
            Assert.Equal("2020-01-01T00:00:00.0000000Z", Kql.ToStr(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
            Assert.Equal("[\"\\u0001\\t\"]", Kql.ToStr(new List<object?> { "\u0001\t" }));
        }

        [Fact]
        public void JoinLeftOuter_WhenNoRightRowMatches_ShouldKeepLeftWithNullsAndSuffixClashingNames()
        {
            // join-leftouter example: columns Key | Value1 | Key1 | Value2.
            var left = new KqlTable(new[] { "Key", "Value1" }, new[] { R("Key", "a", "Value1", 1L), R("Key", "b", "Value1", 2L) });
            var right = new KqlTable(new[] { "Key", "Value2" }, new[] { R("Key", "b", "Value2", 10L), R("Key", "b", "Value2", 20L) });

            var joined = left.JoinLeftOuter(right, "Key", "Key");

            Assert.Equal(new[] { "Key", "Value1", "Key1", "Value2" }, joined.Columns);
            Assert.Equal(3, joined.Count);
            Assert.Null(joined.Rows[0]["Key1"]);
            Assert.Null(joined.Rows[0]["Value2"]);
            Assert.Equal(new object?[] { 10L, 20L }, joined.Rows.Skip(1).Select(r => r["Value2"]));
        }

        [Fact]
        public void Summarize_WhenValuesIncludeEmptyStrings_ShouldKeepThemInListsAndMax()
        {
            var t = new KqlTable(new[] { "K", "V" }, new[] { R("K", "x", "V", ""), R("K", "x", "V", "10.0.0.5"), R("K", "x", "V", "9.1.1.1") });

            var s = t.Summarize(new[] { "K" }, ("max_V", Kql.Max("V")), ("list_V", Kql.MakeList("V")));

            var row = Assert.Single(s.Rows);
            Assert.Equal("9.1.1.1", row["max_V"]);
            Assert.Equal(new object?[] { "", "10.0.0.5", "9.1.1.1" }, (List<object?>)row["list_V"]!);
        }

        [Fact]
        public void Summarize_WhenInputIsEmptyWithoutBy_ShouldReturnOneRowOfDefaults()
        {
            var t = new KqlTable(new[] { "K" }, Array.Empty<Row>());

            Assert.Equal(0L, Assert.Single(t.Summarize(new string[0], ("count_", Kql.Count())).Rows)["count_"]);
            Assert.Empty(t.Summarize(new[] { "K" }, ("count_", Kql.Count())).Rows);
        }

        private static Row R(string k1, object? v1, string k2, object? v2) => new Row { [k1] = v1, [k2] = v2 };
    }
}
