using System;
using System.Linq;
using RunCommandHunt.Engine.Model;
using RunCommandHunt.Engine.Readers;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Readers
{
    public class EvidenceRowMapperTests
    {
        private static readonly RecordOrigin Origin = new RecordOrigin("pipeline", 3);

        private static readonly string[] DeviceEventColumns =
            { "TimeGenerated", "DeviceName", "InitiatingProcessCommandLine", "AdditionalFields", "InitiatingProcessId" };

        private static DeviceEventRecord MapDeviceEvent(string? additionalFields)
        {
            var columns = new ColumnSet(DeviceEventColumns);
            var values = new[] { "2023-06-09T10:45:40Z", "vm1.contoso.local", "powershell -File script1.ps1", additionalFields, "42" };
            Assert.True(EvidenceRowMapper.TryMapDeviceEvent(columns, values, Origin, out var record, out var error), error?.ToString());
            return record!;
        }

        [Theory]
        [InlineData("{\"Command\":\"Get-Process\"}", "Get-Process")]
        [InlineData("{\"Other\":1,\"Command\":\"Write-Output\",\"More\":{\"Command\":\"inner\"}}", "Write-Output")]
        [InlineData("{\"Command\":5}", "5")]
        [InlineData("{\"Command\":1.50}", "1.50")]
        [InlineData("{\"Command\":true}", "true")]
        [InlineData("{\"Command\":{\"b\": [1, \"é\"] }}", "{\"b\":[1,\"é\"]}")]
        [InlineData("{\"Command\":[\"a\",\"b\"]}", "[\"a\",\"b\"]")]
        [InlineData("{\"Command\":null}", "")]
        [InlineData("{\"command\":\"lower-case key\"}", "")]
        [InlineData("{}", "")]
        [InlineData("[{\"Command\":\"x\"}]", "")]
        [InlineData("\"{\\\"Command\\\":\\\"x\\\"}\"", "")]
        [InlineData("", "")]
        [InlineData(null, "")]
        [InlineData("not json", "")]
        [InlineData("{\"Command\":\"x\"", "")]
        [InlineData("{\"Command\":\"x\"} trailing", "")]
        [InlineData("{\"Comm\\u0061nd\":\"escaped key\"}", "escaped key")]
        public void TryMapDeviceEvent_WhenAdditionalFieldsVaries_ShouldTakeCommandAsKustoDoes(string? additionalFields, string expected)
        {
            var record = MapDeviceEvent(additionalFields);
            Assert.Equal(expected, record.Command);
            Assert.Equal(additionalFields ?? "", record.AdditionalFields);
        }

        [Fact]
        public void TryMapDeviceEvent_WhenScriptContent_ShouldTakeItLikeCommand()
        {
            var record = MapDeviceEvent("{\"ScriptContent\":\"#!/bin/bash\\necho hi\",\"Command\":\"x\"}");
            Assert.Equal("#!/bin/bash\necho hi", record.ScriptContent);
            Assert.Equal("x", record.Command);
        }

        [Fact]
        public void TryMapDeviceEvent_WhenAllColumnsPresent_ShouldMapEveryField()
        {
            var names = new[] { "TimeGenerated", "DeviceId", "DeviceName", "ActionType", "InitiatingProcessCommandLine", "InitiatingProcessId",
                "InitiatingProcessFileName", "FileName", "FolderPath", "SHA256", "AdditionalFields" };
            var values = new[] { "2023-06-09T10:45:40.1234567Z", "id1", "vm1", "PowerShellCommand", "cmd", "7", "powershell.exe", "f", "C:\\f", "ab", "{\"Command\":\"c\"}" };
            Assert.True(EvidenceRowMapper.TryMapDeviceEvent(new ColumnSet(names), values, Origin, out var r, out _));
            Assert.Equal((new DateTime(2023, 6, 9, 10, 45, 40, DateTimeKind.Utc).Ticks + 1234567, "id1", "vm1", "PowerShellCommand", "cmd", 7L, "powershell.exe", "f", "C:\\f", "ab", "c"),
                (r!.TimeGenerated.Ticks, r.DeviceId, r.DeviceName, r.ActionType, r.InitiatingProcessCommandLine, r.InitiatingProcessId, r.InitiatingProcessFileName, r.FileName, r.FolderPath, r.SHA256, r.Command));
            Assert.Equal(Origin, r.Origin);
        }

        [Fact]
        public void TryMapAzureActivity_WhenOptionalColumnsMissing_ShouldGiveEmptyStrings()
        {
            var names = new[] { "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress", "CorrelationId" };
            var values = new string?[] { "2023-06-09T10:45:40Z", "op", "Started", "{}", "alice@contoso.com", null, "c1" };
            Assert.True(EvidenceRowMapper.TryMapAzureActivity(new ColumnSet(names), values, Origin, out var r, out _));
            Assert.Equal("", r!.CallerIpAddress);
            Assert.Equal("", r.ResourceId);
            Assert.Equal("", r.SubscriptionId);
            Assert.Equal("", r.ResourceGroup);
        }

        [Fact]
        public void TryMapAzureActivity_WhenUnderscoreResourceIdEmpty_ShouldFallBackToResourceId()
        {
            var names = new[] { "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress", "CorrelationId", "ResourceId", "_ResourceId" };
            var withBoth = new[] { "2023-06-09T10:45:40Z", "op", "Started", "{}", "a", "", "c", "/SUBSCRIPTIONS/X", "/subscriptions/x" };
            var withLegacyOnly = new[] { "2023-06-09T10:45:40Z", "op", "Started", "{}", "a", "", "c", "/SUBSCRIPTIONS/X", "" };
            var columns = new ColumnSet(names);
            Assert.True(EvidenceRowMapper.TryMapAzureActivity(columns, withBoth, Origin, out var both, out _));
            Assert.True(EvidenceRowMapper.TryMapAzureActivity(columns, withLegacyOnly, Origin, out var legacy, out _));
            Assert.Equal("/subscriptions/x", both!.ResourceId);
            Assert.Equal("/SUBSCRIPTIONS/X", legacy!.ResourceId);
        }

        [Theory]
        [InlineData("", "TimeGenerated is empty")]
        [InlineData("2023-06-31T00:00:00Z", "not a datetime")]
        public void TryMapDeviceFileEvent_WhenTimeGeneratedBad_ShouldRejectNamingColumnAndValue(string time, string reason)
        {
            var columns = new ColumnSet(new[] { "Timestamp", "DeviceName", "FileName", "InitiatingProcessFileName" });
            Assert.False(EvidenceRowMapper.TryMapDeviceFileEvent(columns, new[] { time, "vm", "f", "p" }, Origin, out var record, out var error));
            Assert.Null(record);
            Assert.Equal(("pipeline", 3L, "Timestamp", time), (error!.Source, error.Line, error.Column, error.Value));
            Assert.Contains(reason, error.Reason);
        }

        [Fact]
        public void TryMapDeviceProcessEvent_WhenLongBad_ShouldRejectNamingColumnAndValue()
        {
            var columns = new ColumnSet(new[] { "TimeGenerated", "DeviceName", "FileName", "ProcessCommandLine", "ProcessId" });
            Assert.False(EvidenceRowMapper.TryMapDeviceProcessEvent(columns, new[] { "2023-06-09T10:00:00Z", "vm", "bash", "bash x", "12a" }, Origin, out _, out var error));
            Assert.Equal(("ProcessId", "12a"), (error!.Column, error.Value));
            Assert.Contains("line 3", error.ToString());
        }

        [Fact]
        public void TryMapAzureActivity_WhenRequiredColumnMissing_ShouldRejectNamingIt()
        {
            var columns = new ColumnSet(new[] { "TimeGenerated", "OperationNameValue" });
            Assert.False(EvidenceRowMapper.TryMapAzureActivity(columns, new[] { "2023-06-09T10:00:00Z", "op" }, Origin, out _, out var error));
            Assert.Equal("ActivityStatusValue", error!.Column);
            Assert.Contains("CorrelationId", error.Reason);
        }

        [Fact]
        public void TryMapDeviceEvent_WhenValuesShorterThanColumns_ShouldTreatMissingAsEmpty()
        {
            var columns = new ColumnSet(DeviceEventColumns.Concat(new[] { "FolderPath" }).ToArray());
            Assert.True(EvidenceRowMapper.TryMapDeviceEvent(columns, new[] { "2023-06-09T10:00:00Z", "vm", "cmd", "{}" }, Origin, out var r, out _));
            Assert.Equal(("", null as long?), (r!.FolderPath, r.InitiatingProcessId));
        }

        [Fact]
        public void ColumnSet_WhenPortalSuffixOrTimestamp_ShouldFindTimeGenerated()
        {
            Assert.Equal(1, new ColumnSet(new[] { "Caller", "TimeGenerated [UTC]" }).IndexOf("TimeGenerated"));
            Assert.Equal(0, new ColumnSet(new[] { "Timestamp", "DeviceName" }).IndexOf("TimeGenerated"));
            Assert.Equal(1, new ColumnSet(new[] { "Timestamp", "TimeGenerated" }).IndexOf("TimeGenerated"));
            Assert.Equal(-1, new ColumnSet(new[] { "TimeGenerated [Local Time]" }).IndexOf("TimeGenerated"));
        }

        [Fact]
        public void ColumnSet_WhenCaseDiffers_ShouldPreferTheExactName()
        {
            var columns = new ColumnSet(new[] { "devicename", "DeviceName" });
            Assert.Equal(1, columns.IndexOf("DeviceName"));
            Assert.Equal(0, new ColumnSet(new[] { "DEVICENAME" }).IndexOf("DeviceName"));
        }

        [Fact]
        public void Identify_WhenOnlyOneTableFits_ShouldNameIt()
        {
            Assert.Equal(EvidenceTable.AzureActivity, EvidenceRowMapper.Identify(new ColumnSet(
                new[] { "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "Caller", "CallerIpAddress", "CorrelationId" })));
            Assert.Equal(EvidenceTable.DeviceFileEvents, EvidenceRowMapper.Identify(new ColumnSet(
                new[] { "Timestamp", "DeviceName", "FileName", "InitiatingProcessFileName", "FileSize" })));
            Assert.Equal(EvidenceTable.Unknown, EvidenceRowMapper.Identify(new ColumnSet(new[] { "TimeGenerated", "Computer", "EventID" })));
        }

        // Columns of the full Defender schemas, trimmed to those that matter for the decision.
        private static readonly string[] SharedDefender =
            { "TimeGenerated", "DeviceId", "DeviceName", "ActionType", "FileName", "FolderPath", "SHA256", "InitiatingProcessFileName",
              "InitiatingProcessCommandLine", "InitiatingProcessId", "InitiatingProcessAccountName" };

        [Fact]
        public void Identify_WhenFullDeviceFileEventsSchema_ShouldPreferDeviceFileEventsByItsOwnColumns()
        {
            var columns = new ColumnSet(SharedDefender.Concat(new[] { "AdditionalFields", "PreviousFileName", "ShareName" }).ToArray());
            Assert.Equal(EvidenceTable.DeviceFileEvents, EvidenceRowMapper.Identify(columns));
        }

        [Fact]
        public void Identify_WhenDeviceEventsSchemaWithoutDeviceFileEventsColumns_ShouldPreferDeviceEvents()
        {
            var columns = new ColumnSet(SharedDefender.Concat(new[] { "AdditionalFields", "RemoteIP" }).ToArray());
            Assert.Equal(EvidenceTable.DeviceEvents, EvidenceRowMapper.Identify(columns));
        }

        [Fact]
        public void Identify_WhenProcessCommandLineWithoutAdditionalFields_ShouldPreferDeviceProcessEvents()
        {
            var columns = new ColumnSet(SharedDefender.Concat(new[] { "ProcessCommandLine", "ProcessId" }).ToArray());
            Assert.Equal(EvidenceTable.DeviceProcessEvents, EvidenceRowMapper.Identify(columns));
        }

        [Fact]
        public void Identify_WhenDeviceEventsAndDeviceProcessEventsBothFit_ShouldBeUnknown()
        {
            var columns = new ColumnSet(SharedDefender.Concat(new[] { "ProcessCommandLine", "AdditionalFields" }).ToArray());
            Assert.Equal(EvidenceTable.Unknown, EvidenceRowMapper.Identify(columns));
        }

        [Fact]
        public void MissingColumns_WhenSomeRequiredAbsent_ShouldListExactlyThose()
        {
            var columns = new ColumnSet(new[] { "TimeGenerated", "OperationNameValue", "ActivityStatusValue", "Authorization", "CallerIpAddress" });
            Assert.Equal(new[] { "Caller", "CorrelationId" }, EvidenceRowMapper.MissingColumns(columns, EvidenceTable.AzureActivity));
            Assert.Equal(new[] { "DeviceName", "FileName", "InitiatingProcessFileName" }, EvidenceRowMapper.MissingColumns(columns, EvidenceTable.DeviceFileEvents));
        }
    }
}
