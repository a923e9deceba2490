using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using RunCommandHunt.Engine.Reporting;
using Xunit;
using static RunCommandHunt.Engine.Tests.Reporting.ReportSamples;

namespace RunCommandHunt.Engine.Tests.Reporting
{
    public sealed class AlertJsonLinesTests : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("rch-alerts-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static IReadOnlyList<RunCommandHuntAlert> DayAlerts(AlertAggregationKind kind = AlertAggregationKind.AlertPerResult)
        {
            var (ops, execs) = Day();
            return AlertBuilder.Build(Findings(execs), ops, new AlertOptions { AggregationKind = kind, TimeGenerated = new DateTime(2024, 5, 2, 0, 0, 0, DateTimeKind.Utc) });
        }

        [Fact]
        public void Write_WhenAlerts_ShouldWriteOneJsonObjectPerLineUtf8WithoutBom()
        {
            var alerts = DayAlerts();
            var path = Path.Combine(_dir, "alerts.jsonl");
            AlertJsonLines.Write(path, alerts);

            var bytes = File.ReadAllBytes(path);
            Assert.False(bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF, "no BOM");
            Assert.DoesNotContain((byte)'\r', bytes);
            var text = new UTF8Encoding(false, true).GetString(bytes);
            Assert.EndsWith("\n", text);
            var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(alerts.Count, lines.Length);

            for (int i = 0; i < lines.Length; i++)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                var root = doc.RootElement;
                var a = alerts[i];
                Assert.Equal(a.SystemAlertId, root.GetProperty("SystemAlertId").GetString());
                Assert.Equal(a.AlertName, root.GetProperty("AlertName").GetString());
                Assert.Equal(a.Kind.ToString(), root.GetProperty("Kind").GetString());
                Assert.Equal(a.Entities.Length, root.GetProperty("Entities").GetArrayLength());
                foreach (var e in root.GetProperty("Entities").EnumerateArray())
                {
                    Assert.False(string.IsNullOrEmpty(e.GetProperty("$id").GetString()));
                    Assert.Contains(e.GetProperty("Type").GetString(), new[] { "account", "ip", "host", "azure-resource" });
                }
                Assert.Equal(a.ExtendedProperties["Analytic Rule Name"], root.GetProperty("ExtendedProperties").GetProperty("Analytic Rule Name").GetString());
                Assert.Equal(a.UniqueScripts.Length, root.GetProperty("UniqueScripts").GetArrayLength());
                Assert.Equal(a.FailedOperations.Length, root.GetProperty("FailedOperations").GetArrayLength());
                Assert.Equal(a.TimeGenerated, ParseRoundTrip(root.GetProperty("TimeGenerated").GetString()!));
                Assert.Equal(a.StartTime, ParseRoundTrip(root.GetProperty("StartTime").GetString()!));
            }
        }

        [Fact]
        public void ToJson_WhenUniqueScriptRow_ShouldWriteTheRulesColumnsWithExactValues()
        {
            var alert = DayAlerts(AlertAggregationKind.SingleAlert).First(a => a.Kind == RunCommandHuntAlertKind.UniqueScript);
            using var doc = JsonDocument.Parse(AlertJsonLines.ToJson(alert));
            var rows = doc.RootElement.GetProperty("UniqueScripts").EnumerateArray().ToList();
            Assert.Equal(alert.UniqueScripts.Length, rows.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                var r = rows[i];
                var u = alert.UniqueScripts[i];
                // The rule's projection comes first, in its order.
                var names = r.EnumerateObject().Select(p => p.Name).Take(14).ToArray();
                Assert.Equal(new[] { "timestamp", "StartTime", "EndTime", "PowershellFileName", "VirtualMachineName", "Caller", "CallerName",
                    "CallerUPNSuffix", "CallerIpAddress", "PowershellScriptCommands", "PowershellFileSize", "ScriptFingerprintHash", "Prevalence", "Scope" }, names);
                Assert.Equal(u.Prevalence, r.GetProperty("Prevalence").GetDouble());
                Assert.Equal(u.PowershellFileSize, r.GetProperty("PowershellFileSize").GetInt64());
                Assert.Equal(u.PowershellScriptCommands, r.GetProperty("PowershellScriptCommands").EnumerateArray().Select(c => c.GetString()));
                Assert.Equal(u.ScriptFingerprintHash, r.GetProperty("ScriptFingerprintHash").GetString());
            }
        }

        [Fact]
        public void ToJson_WhenDatesHaveUnspecifiedOrLocalKind_ShouldWriteUtcWithZ()
        {
            var local = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Local);
            var alert = new RunCommandHuntAlert
            {
                TimeGenerated = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Unspecified),
                StartTime = local,
                EndTime = new DateTime(2024, 5, 1, 12, 0, 0, 123, DateTimeKind.Utc).AddTicks(4567),
            };
            using var doc = JsonDocument.Parse(AlertJsonLines.ToJson(alert));
            var root = doc.RootElement;
            Assert.Equal("2024-05-01T12:00:00.0000000Z", root.GetProperty("TimeGenerated").GetString());
            Assert.Equal(local.ToUniversalTime().ToString("o", CultureInfo.InvariantCulture), root.GetProperty("StartTime").GetString());
            Assert.Equal("2024-05-01T12:00:00.1234567Z", root.GetProperty("EndTime").GetString());
        }

        [Fact]
        public void ToJson_WhenHostileAndNonAsciiValues_ShouldRoundTripExactlyAndStayInert()
        {
            var op = Op("vm-ü", "ann@contoso.com", "10.0.0.1", "Succeeded", 0);
            var hostile = new[] { "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "line\nbreak\u2028", "艺术" };
            var findings = Findings(new[] { Exec(op, "script1.ps1", 3, hostile) });
            var alert = AlertBuilder.FromUniqueScripts(findings)[0];
            var json = AlertJsonLines.ToJson(alert);

            Assert.DoesNotContain("\n", json);
            Assert.DoesNotContain("<script>", json);
            Assert.Contains("vm-ü", json);
            using var doc = JsonDocument.Parse(json);
            var commands = doc.RootElement.GetProperty("UniqueScripts")[0].GetProperty("PowershellScriptCommands").EnumerateArray().Select(c => c.GetString()).ToArray();
            Assert.Equal(findings[0].PowershellScriptCommands, commands);
        }

        [Fact]
        public void Write_WhenTheAlertsFailMidway_ShouldLeaveTheOldFileWholeAndNoTempFile()
        {
            var path = Path.Combine(_dir, "alerts.jsonl");
            AlertJsonLines.Write(path, DayAlerts());
            var before = File.ReadAllBytes(path);

            IEnumerable<RunCommandHuntAlert> Failing()
            {
                yield return DayAlerts()[0];
                throw new InvalidOperationException("pipeline stopped");
            }
            Assert.Throws<InvalidOperationException>(() => AlertJsonLines.Write(path, Failing()));

            Assert.Equal(before, File.ReadAllBytes(path));
            Assert.Equal(new[] { "alerts.jsonl" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        }

        private static DateTime ParseRoundTrip(string s)
        {
            Assert.EndsWith("Z", s);
            return DateTime.ParseExact(s, "o", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        }
    }
}
