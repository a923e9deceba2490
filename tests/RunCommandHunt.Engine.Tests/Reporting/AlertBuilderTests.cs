using System;
using System.Linq;
using RunCommandHunt.Engine.Kql;
using RunCommandHunt.Engine.Reporting;
using Xunit;
using static RunCommandHunt.Engine.Tests.Reporting.ReportSamples;

namespace RunCommandHunt.Engine.Tests.Reporting
{
    public class AlertBuilderTests
    {
        private static readonly DateTime Generated = new DateTime(2024, 5, 2, 0, 5, 0, DateTimeKind.Utc);

        [Fact]
        public void FromUniqueScripts_WhenSingleAlert_ShouldCarryEveryRowAndTheRulesMetadata()
        {
            var (_, execs) = Day();
            var findings = Findings(execs);
            Assert.Equal(2, findings.Length);

            var alert = Assert.Single(AlertBuilder.FromUniqueScripts(findings, new AlertOptions { TimeGenerated = Generated }));

            Assert.Equal(RunCommandHuntAlertKind.UniqueScript, alert.Kind);
            Assert.Equal("Azure VM Run Command operations executing a unique PowerShell script", alert.AlertName);
            Assert.Equal(alert.AlertName, alert.DisplayName);
            Assert.Equal("Medium", alert.AlertSeverity);
            Assert.Equal("Azure Sentinel", alert.ProductName);
            Assert.Equal("Scheduled Alerts", alert.ProductComponentName);
            Assert.Equal("ASI Scheduled Alerts", alert.ProviderName);
            Assert.Equal("Microsoft", alert.VendorName);
            Assert.Equal(new[] { "LateralMovement", "Execution" }, alert.Tactics);
            Assert.Equal(new[] { "T1570", "T1059.001", "T1651" }, alert.Techniques);
            Assert.Equal(Generated, alert.TimeGenerated);
            Assert.Equal(2, alert.ResultCount);
            Assert.Equal(findings.Min(f => f.timestamp), alert.StartTime);
            Assert.Equal(findings.Max(f => f.timestamp), alert.EndTime);
            Assert.True(alert.StartTime < alert.EndTime);
            // Two machines: no single compromised entity.
            Assert.Equal("", alert.CompromisedEntity);

            var p = alert.ExtendedProperties;
            Assert.Equal(SeedQueries.AnalyticRule, p["Query"]);
            Assert.Equal("1.00:00:00", p["Query Period"]);
            Assert.Equal("GreaterThan", p["Trigger Operator"]);
            Assert.Equal("0", p["Trigger Threshold"]);
            Assert.Equal("[\"5239248b-abfb-4c6a-8177-b104ade5db56\"]", p["Analytic Rule Ids"]);
            Assert.Equal(alert.AlertName, p["Analytic Rule Name"]);
            Assert.Equal("[\"AzureActivity\",\"DeviceFileEvents\",\"DeviceEvents\"]", p["Data Sources"]);
            Assert.Equal("SingleAlert", p["Query Results Aggregation Kind"]);
            Assert.Equal("2", p["Search Query Results Overall Count"]);
            Assert.False(p.ContainsKey("Query Start Time UTC"));
        }

        [Fact]
        public void FromUniqueScripts_WhenAlertPerResult_ShouldMakeOneAlertPerRowWithTheOverallCount()
        {
            var (_, execs) = Day();
            var findings = Findings(execs);
            var alerts = AlertBuilder.FromUniqueScripts(findings, new AlertOptions { AggregationKind = AlertAggregationKind.AlertPerResult, TimeGenerated = Generated });

            Assert.Equal(findings.Length, alerts.Count);
            Assert.All(alerts, a =>
            {
                var row = Assert.Single(a.UniqueScripts);
                Assert.Equal(row.timestamp, a.StartTime);
                Assert.Equal(row.timestamp, a.EndTime);
                Assert.Equal(row.VirtualMachineName, a.CompromisedEntity);
                Assert.Equal(findings.Length.ToString(), a.ExtendedProperties["Search Query Results Overall Count"]);
                Assert.Equal("AlertPerResult", a.ExtendedProperties["Query Results Aggregation Kind"]);
            });
            Assert.Equal(alerts.Count, alerts.Select(a => a.SystemAlertId).Distinct().Count());
            Assert.Equal(findings.Select(f => f.ScriptFingerprintHash).OrderBy(h => h), alerts.Select(a => a.UniqueScripts[0].ScriptFingerprintHash).OrderBy(h => h));
        }

        [Fact]
        public void SystemAlertId_WhenRerunOnTheSameFindings_ShouldBeTheSameNameBasedGuid()
        {
            var (_, execs) = Day();
            var findings = Findings(execs);
            var first = AlertBuilder.FromUniqueScripts(findings, new AlertOptions { TimeGenerated = Generated })[0];
            // Another run: later, rows in another order.
            var again = AlertBuilder.FromUniqueScripts(findings.Reverse(), new AlertOptions { TimeGenerated = Generated.AddHours(5) })[0];
            Assert.Equal(first.SystemAlertId, again.SystemAlertId);

            var g = Guid.Parse(first.SystemAlertId);
            Assert.Equal('5', g.ToString("D")[14]);

            // Other findings, or another aggregation of the same ones, are another alert.
            var fewer = AlertBuilder.FromUniqueScripts(findings.Take(1), new AlertOptions { TimeGenerated = Generated })[0];
            Assert.NotEqual(first.SystemAlertId, fewer.SystemAlertId);
            var perResult = AlertBuilder.FromUniqueScripts(findings.Take(1), new AlertOptions { AggregationKind = AlertAggregationKind.AlertPerResult })[0];
            Assert.NotEqual(fewer.SystemAlertId, perResult.SystemAlertId);
        }

        [Fact]
        public void Entities_WhenMappedAsTheRuleMapsThem_ShouldCarryAccountIpHostAndResource()
        {
            var (_, execs) = Day();
            var findings = Findings(execs);
            var alert = AlertBuilder.FromUniqueScripts(findings, new AlertOptions { TimeGenerated = Generated })[0];
            var upn = findings.Single(f => f.Caller.Contains("@"));
            var spn = findings.Single(f => !f.Caller.Contains("@"));

            var account = Assert.Single(alert.Entities, e => e.Type == "account" && e.FullName == upn.Caller);
            Assert.Equal("mallory", account.Name);
            Assert.Equal("contoso.com", account.UPNSuffix);
            Assert.Null(account.AadUserId);

            // A service principal calls as its object id: Name is the GUID, no UPN suffix, AadUserId set.
            var sp = Assert.Single(alert.Entities, e => e.Type == "account" && e.FullName == spn.Caller);
            Assert.Equal(spn.Caller, sp.AadUserId);
            Assert.Equal(spn.Caller, sp.Name);
            Assert.Null(sp.UPNSuffix);

            Assert.Single(alert.Entities, e => e.Type == "ip" && e.Address == upn.CallerIpAddress);
            var host = Assert.Single(alert.Entities, e => e.Type == "host" && e.HostName == upn.VirtualMachineName);
            Assert.Equal(upn.Scope, host.AzureID);
            Assert.Single(alert.Entities, e => e.Type == "azure-resource" && e.ResourceId == upn.Scope);

            Assert.Equal(alert.Entities.Length, alert.Entities.Select(e => e.Id).Distinct().Count());
            Assert.Equal(8, alert.Entities.Length);
        }

        [Fact]
        public void Entities_WhenRowsShareCallerAndMachine_ShouldListEachEntityOnce()
        {
            var op1 = Op("vm-a", "ann@contoso.com", "10.0.0.1", "Succeeded", 0);
            var op2 = Op("VM-A", "ann@contoso.com", "", "Succeeded", 5);
            op2.Scope = op1.Scope.ToUpperInvariant();
            var findings = Findings(new[] { Exec(op1, "script1.ps1", 1, "A"), Exec(op2, "script2.ps1", 2, "B") });
            Assert.Equal(2, findings.Length);

            var alert = AlertBuilder.FromUniqueScripts(findings, new AlertOptions { IncludeAzureResourceEntity = false })[0];

            Assert.Equal(new[] { "account", "ip", "host" }, alert.Entities.Select(e => e.Type));
            Assert.Equal("vm-a", alert.CompromisedEntity);
        }

        [Theory]
        [InlineData("high", "High")]
        [InlineData(" Informational ", "Informational")]
        [InlineData("LOW", "Low")]
        public void Severity_WhenConfigured_ShouldUseSentinelsSpelling(string given, string expected)
        {
            var (_, execs) = Day();
            var alert = AlertBuilder.FromUniqueScripts(Findings(execs), new AlertOptions { Severity = given })[0];
            Assert.Equal(expected, alert.AlertSeverity);
        }

        [Fact]
        public void Severity_WhenNotASentinelSeverity_ShouldThrowNamingTheValue()
        {
            var (_, execs) = Day();
            var ex = Assert.Throws<ArgumentException>(() => AlertBuilder.FromUniqueScripts(Findings(execs), new AlertOptions { Severity = "Critical" }));
            Assert.Contains("'Critical'", ex.Message);
        }

        [Fact]
        public void FromFailedOperations_WhenMixedOutcomes_ShouldAlertOnFailedAndRejectedOnly()
        {
            var (ops, _) = Day();
            ops.Add(Op("vm-x", "x@contoso.com", "10.9.9.9", "InProgress", 300));
            var failed = ops.Where(o => o.Status == "Failed" || o.Status == "Rejected").ToList();
            Assert.Equal(2, failed.Count);

            var alert = Assert.Single(AlertBuilder.FromFailedOperations(ops, new AlertOptions { TimeGenerated = Generated, FailedOperationSeverity = "Low" }));

            Assert.Equal(RunCommandHuntAlertKind.FailedOperation, alert.Kind);
            Assert.Equal("Low", alert.AlertSeverity);
            Assert.Equal(failed.Select(o => o.CorrelationId).OrderBy(c => c), alert.FailedOperations.Select(o => o.CorrelationId).OrderBy(c => c));
            Assert.Equal(new[] { "T1651" }, alert.Techniques);
            Assert.DoesNotContain(SeedQueries.AnalyticRuleId, alert.ExtendedProperties["Analytic Rule Ids"]);
            Assert.Contains(AlertBuilder.FailedOperationRuleId, alert.ExtendedProperties["Analytic Rule Ids"]);
            Assert.Equal("2", alert.ExtendedProperties["Search Query Results Overall Count"]);
            Assert.Single(alert.Entities, e => e.Type == "account" && e.FullName == "eve@fabrikam.com" && e.UPNSuffix == "fabrikam.com");
            Assert.Equal(failed.Min(o => o.StartTime), alert.StartTime);
        }

        [Fact]
        public void Build_WhenNothingFound_ShouldRaiseNoAlert()
        {
            var (ops, _) = Day();
            var succeededOnly = ops.Where(o => o.Status == "Succeeded");
            Assert.Empty(AlertBuilder.Build(Array.Empty<UniqueRunCommandScript>(), succeededOnly));
        }

        [Fact]
        public void Build_WhenQueryWindowGiven_ShouldWriteItAsIsoUtc()
        {
            var (ops, execs) = Day();
            var start = new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc);
            var alerts = AlertBuilder.Build(Findings(execs), ops, new AlertOptions { QueryStartTime = start, QueryEndTime = start.AddDays(1), QueryPeriod = TimeSpan.FromDays(7) });

            Assert.Equal(new[] { RunCommandHuntAlertKind.UniqueScript, RunCommandHuntAlertKind.FailedOperation }, alerts.Select(a => a.Kind));
            Assert.All(alerts, a =>
            {
                Assert.Equal("2024-05-01T00:00:00.0000000Z", a.ExtendedProperties["Query Start Time UTC"]);
                Assert.Equal("2024-05-02T00:00:00.0000000Z", a.ExtendedProperties["Query End Time UTC"]);
                Assert.Equal("7.00:00:00", a.ExtendedProperties["Query Period"]);
            });
        }

        [Fact]
        public void NameBasedGuid_WhenRfc4122Vector_ShouldMatch()
        {
            // uuid5(NAMESPACE_DNS, "python.org"), as Python's uuid module computes it.
            var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
            Assert.Equal(new Guid("886313e1-3b8a-5372-9b90-0c9aee199e5d"), NameBasedGuid.Create(dns, "python.org"));
        }
    }
}
