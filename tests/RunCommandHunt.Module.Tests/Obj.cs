using System;
using System.Management.Automation;

namespace RunCommandHunt.Module.Tests
{
    /// <summary>
    /// An output object read as a script reads it: by property name. The tests never load the module's types
    /// themselves, so what they check is what the module folder produced.
    /// </summary>
    public sealed class Obj
    {
        private readonly PSObject _o;
        public Obj(PSObject o) { _o = o; }
        public string TypeName => _o.TypeNames[0];
        public object? this[string name] => _o.Properties[name]?.Value is PSObject p ? p.BaseObject : _o.Properties[name]?.Value;
        public string S(string name) => (string)(this[name] ?? throw new InvalidOperationException("no property " + name));
        public DateTime D(string name) => (DateTime)this[name]!;

        public string VirtualMachineName => S("VirtualMachineName");
        public string CorrelationId => S("CorrelationId");
        public string Subscription => S("Subscription");
        public string ResourceGroup => S("ResourceGroup");
        public string CallerIpAddress => S("CallerIpAddress");
        public string Caller => S("Caller");
        public string CallerName => S("CallerName");
        public string CallerUPNSuffix => S("CallerUPNSuffix");
        public string Status => S("Status");
        public string DeviceName => S("DeviceName");
        public string ScriptFingerprintHash => S("ScriptFingerprintHash");
        public DateTime StartTime => D("StartTime");
        public DateTime EndTime => D("EndTime");
        public DateTime timestamp => D("timestamp");
        public DateTime PowershellExecStart => D("PowershellExecStart");
        public DateTime PowershellExecStartTime => D("PowershellExecStartTime");
        public long? PowershellFileSize => (long?)this["PowershellFileSize"];
        public string[] PowershellScriptCommands => (string[])this["PowershellScriptCommands"]!;
        public double Prevalence => (double)this["Prevalence"]!;
        public int CommandCount => (int)this["CommandCount"]!;
    }
}
