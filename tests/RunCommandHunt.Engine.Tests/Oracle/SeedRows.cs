using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>A row of seed 000's result: exactly its projected columns. Both the oracle and the engine are
    /// mapped to this, so one assertion serves both.</summary>
    public sealed class HuntingQueryRow
    {
        public DateTime StartTime { get; set; }
        public DateTime EndTime { get; set; }
        public DateTime PowershellFileCreatedTimestamp { get; set; }
        public DateTime PowershellExecStart { get; set; }
        public DateTime PowershellExecEnd { get; set; }
        public string PowershellFileName { get; set; } = "";
        public IReadOnlyList<string> PowershellScriptCommands { get; set; } = Array.Empty<string>();
        public string Caller { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        public string InitiatingProcessCommandLine { get; set; } = "";
        public long? PowershellFileSize { get; set; }
        public string VirtualMachineName { get; set; } = "";
        public string ScriptFingerprintHash { get; set; } = "";

        public static HuntingQueryRow FromOracle(Row r) => new HuntingQueryRow
        {
            StartTime = (DateTime)r["StartTime"]!,
            EndTime = (DateTime)r["EndTime"]!,
            PowershellFileCreatedTimestamp = (DateTime)r["PowershellFileCreatedTimestamp"]!,
            PowershellExecStart = (DateTime)r["PowershellExecStart"]!,
            PowershellExecEnd = (DateTime)r["PowershellExecEnd"]!,
            PowershellFileName = Kql.ToStr(r["PowershellFileName"]),
            PowershellScriptCommands = ((List<object?>)r["PowershellScriptCommands"]!).Select(Kql.ToStr).ToArray(),
            Caller = Kql.ToStr(r["Caller"]),
            CallerIpAddress = Kql.ToStr(r["CallerIpAddress"]),
            InitiatingProcessCommandLine = Kql.ToStr(r["InitiatingProcessCommandLine"]),
            PowershellFileSize = (long?)r["PowershellFileSize"],
            VirtualMachineName = Kql.ToStr(r["VirtualMachineName"]),
            ScriptFingerprintHash = Kql.ToStr(r["ScriptFingerprintHash"]),
        };

        /// <summary>Every column, datetimes as ticks: equal text means equal rows.</summary>
        public override string ToString() => string.Join(" | ",
            "StartTime=" + RowText.Time(StartTime), "EndTime=" + RowText.Time(EndTime),
            "PowershellFileCreatedTimestamp=" + RowText.Time(PowershellFileCreatedTimestamp),
            "PowershellExecStart=" + RowText.Time(PowershellExecStart), "PowershellExecEnd=" + RowText.Time(PowershellExecEnd),
            "PowershellFileName=" + RowText.Str(PowershellFileName), "PowershellScriptCommands=" + RowText.List(PowershellScriptCommands),
            "Caller=" + RowText.Str(Caller), "CallerIpAddress=" + RowText.Str(CallerIpAddress),
            "InitiatingProcessCommandLine=" + RowText.Str(InitiatingProcessCommandLine),
            "PowershellFileSize=" + RowText.Long(PowershellFileSize), "VirtualMachineName=" + RowText.Str(VirtualMachineName),
            "ScriptFingerprintHash=" + ScriptFingerprintHash);
    }

    /// <summary>A row of seed 003's result: exactly its projected columns.</summary>
    public sealed class AnalyticRuleRow
    {
        public DateTime timestamp { get; set; }
        public DateTime StartTime { get; set; }
        public DateTime EndTime { get; set; }
        public string PowershellFileName { get; set; } = "";
        public string VirtualMachineName { get; set; } = "";
        public string Caller { get; set; } = "";
        public string CallerName { get; set; } = "";
        public string CallerUPNSuffix { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";
        public IReadOnlyList<string> PowershellScriptCommands { get; set; } = Array.Empty<string>();
        public long? PowershellFileSize { get; set; }
        public string ScriptFingerprintHash { get; set; } = "";
        public double Prevalence { get; set; }
        public string Scope { get; set; } = "";

        public static AnalyticRuleRow FromOracle(Row r) => new AnalyticRuleRow
        {
            timestamp = (DateTime)r["timestamp"]!,
            StartTime = (DateTime)r["StartTime"]!,
            EndTime = (DateTime)r["EndTime"]!,
            PowershellFileName = Kql.ToStr(r["PowershellFileName"]),
            VirtualMachineName = Kql.ToStr(r["VirtualMachineName"]),
            Caller = Kql.ToStr(r["Caller"]),
            CallerName = Kql.ToStr(r["CallerName"]),
            CallerUPNSuffix = Kql.ToStr(r["CallerUPNSuffix"]),
            CallerIpAddress = Kql.ToStr(r["CallerIpAddress"]),
            PowershellScriptCommands = ((List<object?>)r["PowershellScriptCommands"]!).Select(Kql.ToStr).ToArray(),
            PowershellFileSize = (long?)r["PowershellFileSize"],
            ScriptFingerprintHash = Kql.ToStr(r["ScriptFingerprintHash"]),
            Prevalence = (double)r["Prevalence"]!,
            // Scope is dynamic in the rule; the output column holds its string form.
            Scope = Kql.ToStr(r["Scope"]),
        };

        public override string ToString() => string.Join(" | ",
            "timestamp=" + RowText.Time(timestamp), "StartTime=" + RowText.Time(StartTime), "EndTime=" + RowText.Time(EndTime),
            "PowershellFileName=" + RowText.Str(PowershellFileName), "VirtualMachineName=" + RowText.Str(VirtualMachineName),
            "Caller=" + RowText.Str(Caller), "CallerName=" + RowText.Str(CallerName), "CallerUPNSuffix=" + RowText.Str(CallerUPNSuffix),
            "CallerIpAddress=" + RowText.Str(CallerIpAddress), "PowershellScriptCommands=" + RowText.List(PowershellScriptCommands),
            "PowershellFileSize=" + RowText.Long(PowershellFileSize), "ScriptFingerprintHash=" + ScriptFingerprintHash,
            // R format plus the raw bits: two doubles are equal here only if they are the same double.
            "Prevalence=" + Prevalence.ToString("R", CultureInfo.InvariantCulture) + "#" + BitConverter.DoubleToInt64Bits(Prevalence),
            "Scope=" + RowText.Str(Scope));
    }

    /// <summary>A row of the seeds' first project (the operations table): StartTime, EndTime, Subscription,
    /// VirtualMachineName, CorrelationId, Caller, CallerIpAddress.</summary>
    public sealed class OperationRow
    {
        public DateTime StartTime { get; set; }
        public DateTime EndTime { get; set; }
        public string Subscription { get; set; } = "";
        public string VirtualMachineName { get; set; } = "";
        public string CorrelationId { get; set; } = "";
        public string Caller { get; set; } = "";
        public string CallerIpAddress { get; set; } = "";

        public static OperationRow FromOracle(Row r) => new OperationRow
        {
            StartTime = (DateTime)r["StartTime"]!,
            EndTime = (DateTime)r["EndTime"]!,
            Subscription = Kql.ToStr(r["Subscription"]),
            VirtualMachineName = Kql.ToStr(r["VirtualMachineName"]),
            CorrelationId = Kql.ToStr(r["CorrelationId"]),
            Caller = Kql.ToStr(r["Caller"]),
            CallerIpAddress = Kql.ToStr(r["CallerIpAddress"]),
        };

        public override string ToString() => string.Join(" | ",
            "StartTime=" + RowText.Time(StartTime), "EndTime=" + RowText.Time(EndTime), "Subscription=" + RowText.Str(Subscription),
            "VirtualMachineName=" + RowText.Str(VirtualMachineName), "CorrelationId=" + RowText.Str(CorrelationId),
            "Caller=" + RowText.Str(Caller), "CallerIpAddress=" + RowText.Str(CallerIpAddress));
    }

    internal static class RowText
    {
        public static string Time(DateTime d) => Kql.FormatDateTime(d) + "(" + d.Ticks.ToString(CultureInfo.InvariantCulture) + ")";
        public static string Str(string s) => Kql.ToJson(s);
        public static string List(IReadOnlyList<string> l) => Kql.ToJson(l.Cast<object?>().ToList());
        public static string Long(long? v) => v.HasValue ? v.Value.ToString(CultureInfo.InvariantCulture) : "null";
    }
}
