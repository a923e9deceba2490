using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace RunCommandHunt.Module.Tests.Module
{
    /// <summary>
    /// What Get-Help shows for a command, compared with what Get-Command says the command is. Without a MAML entry
    /// PowerShell still answers Get-Help with a generated page (the syntax as synopsis, no description, no examples),
    /// so each check below fails for an undocumented cmdlet.
    /// </summary>
    internal static class HelpCheck
    {
        public const int MinimumExamples = 2;

        private const string Script = @"
param([string] $Name)
# -WhatIf and -Confirm are documented like any parameter (platyPS does); the common parameters are not.
$common = [System.Management.Automation.Cmdlet]::CommonParameters
$cmd = Get-Command $Name
$full = Get-Help $Name -Full
$examples = @((Get-Help $Name -Examples).examples.example)
[pscustomobject]@{
    Synopsis     = [string]$full.Synopsis
    Description  = (@($full.description | ForEach-Object Text) -join ""`n"")
    Syntax       = [string]((Get-Command $Name -Syntax) -join ' ')
    HelpParams   = @($full.parameters.parameter | ForEach-Object {
        [pscustomobject]@{ Name = [string]$_.name; Type = [string]$_.type.name; Required = [string]$_.required
                           Position = [string]$_.position; PipelineInput = [string]$_.pipelineInput; Description = (@($_.description | ForEach-Object Text) -join ' ') } })
    CmdParams    = @($cmd.Parameters.Values | Where-Object { $common -notcontains $_.Name } | ForEach-Object {
        $sets = @($_.ParameterSets.Values)
        # A DateTime? parameter is documented as DateTime, as Get-Help shows it.
        $type = $_.ParameterType; if ([Nullable]::GetUnderlyingType($type)) { $type = [Nullable]::GetUnderlyingType($type) }
        [pscustomobject]@{ Name = $_.Name; Type = $type.Name
                           MandatoryAll = -not ($sets | Where-Object { -not $_.IsMandatory }); MandatoryAny = [bool]($sets | Where-Object IsMandatory)
                           ByValue = [bool]($sets | Where-Object ValueFromPipeline); ByPropertyName = [bool]($sets | Where-Object ValueFromPipelineByPropertyName)
                           Positions = @($sets | ForEach-Object { if ($_.Position -eq [int]::MinValue) { 'named' } else { [string]$_.Position } } | Sort-Object -Unique) } })
    HelpSyntax   = @($full.syntax.syntaxItem | ForEach-Object { (@($_.parameter | ForEach-Object name | Sort-Object) -join ',') } | Sort-Object)
    CmdSyntax    = @($cmd.ParameterSets | ForEach-Object { (@($_.Parameters.Name | Where-Object { $common -notcontains $_ } | Sort-Object) -join ',') } | Sort-Object)
    Examples     = $examples.Count
    ExampleCode  = @($examples | ForEach-Object { [string]$_.code })
    ExampleText  = @($examples | ForEach-Object { (@($_.remarks | ForEach-Object Text) -join ' ') })
}";

        /// <summary>Every way the help of <paramref name="name"/> falls short; empty when it is complete.</summary>
        public static List<string> Problems(ModuleHost host, string name)
        {
            var r = host.Run(Script.Replace("param([string] $Name)", "$Name = '" + name.Replace("'", "''") + "'"));
            if (r.Terminating != null) return new List<string> { $"{name}: Get-Help failed: {r.Terminating.Message}" };
            var h = r.Output.Single();
            var problems = new List<string>();
            string S(string p) => h.Properties[p].Value?.ToString() ?? "";
            IEnumerable<PSObject> L(string p) => Items(h.Properties[p].Value).Select(PSObject.AsPSObject);
            string[] Strings(string p) => Items(h.Properties[p].Value).Select(o => o?.ToString() ?? "").ToArray();

            var synopsis = S("Synopsis").Trim();
            if (synopsis.Length == 0) problems.Add($"{name}: no synopsis");
            // The generated page uses the syntax line as the synopsis.
            else if (synopsis.StartsWith(name + " ", StringComparison.OrdinalIgnoreCase) || S("Syntax").Contains(synopsis))
                problems.Add($"{name}: the synopsis is the generated syntax line, not written help");
            if (S("Description").Trim().Length == 0) problems.Add($"{name}: no description");

            var helpParams = L("HelpParams").ToDictionary(p => p.Properties["Name"].Value.ToString()!, StringComparer.OrdinalIgnoreCase);
            foreach (var p in L("CmdParams"))
            {
                var pname = p.Properties["Name"].Value.ToString()!;
                if (!helpParams.TryGetValue(pname, out var hp)) { problems.Add($"{name}: parameter -{pname} is not in Get-Help -Full"); continue; }
                helpParams.Remove(pname);
                string HP(string k) => hp.Properties[k].Value?.ToString() ?? "";
                bool CP(string k) => (bool)p.Properties[k].Value;
                if (HP("Description").Trim().Length == 0) problems.Add($"{name}: parameter -{pname} has no description");
                var type = p.Properties["Type"].Value.ToString();
                if (!string.Equals(HP("Type"), type, StringComparison.OrdinalIgnoreCase) && !(type == "SwitchParameter" && HP("Type") == "switch"))
                    problems.Add($"{name}: parameter -{pname} is {type}, help says {HP("Type")}");
                if (CP("MandatoryAll") && HP("Required") != "true") problems.Add($"{name}: parameter -{pname} is mandatory, help says required={HP("Required")}");
                if (!CP("MandatoryAny") && HP("Required") != "false") problems.Add($"{name}: parameter -{pname} is optional, help says required={HP("Required")}");
                if (CP("ByValue") != HP("PipelineInput").Contains("ByValue")) problems.Add($"{name}: parameter -{pname} pipeline by value is {CP("ByValue")}, help says '{HP("PipelineInput")}'");
                if (CP("ByPropertyName") != HP("PipelineInput").Contains("ByPropertyName")) problems.Add($"{name}: parameter -{pname} pipeline by property name is {CP("ByPropertyName")}, help says '{HP("PipelineInput")}'");
                var positions = Items(p.Properties["Positions"].Value).Select(o => o?.ToString() ?? "").ToArray();
                if (positions.Length == 1 && !string.Equals(positions[0], HP("Position"), StringComparison.OrdinalIgnoreCase))
                    problems.Add($"{name}: parameter -{pname} is at position {positions[0]}, help says {HP("Position")}");
            }
            foreach (var stale in helpParams.Keys) problems.Add($"{name}: help documents -{stale}, which the cmdlet does not have");

            var helpSyntax = Strings("HelpSyntax");
            var cmdSyntax = Strings("CmdSyntax");
            if (!helpSyntax.SequenceEqual(cmdSyntax))
                problems.Add($"{name}: help syntax has parameter sets [{string.Join(" | ", helpSyntax)}], the cmdlet [{string.Join(" | ", cmdSyntax)}]");

            var examples = (int)h.Properties["Examples"].Value;
            if (examples < MinimumExamples) problems.Add($"{name}: Get-Help -Examples shows {examples} example(s), at least {MinimumExamples} are required");
            if (Strings("ExampleCode").Any(c => !c.Contains(name, StringComparison.OrdinalIgnoreCase) && !c.Contains("$", StringComparison.Ordinal)))
                problems.Add($"{name}: an example's code neither runs {name} nor uses a variable");
            if (Strings("ExampleText").Any(t => t.Trim().Length == 0)) problems.Add($"{name}: an example has no remarks");
            return problems;
        }

        /// <summary>A PowerShell value as a list: an array's items, or the value alone.</summary>
        public static object[] Items(object? value)
        {
            switch (value)
            {
                case null: return Array.Empty<object>();
                case PSObject pso when !(pso.BaseObject is PSCustomObject): return Items(pso.BaseObject);
                case object[] a: return a;
                case System.Collections.IList list: return list.Cast<object>().ToArray();
                default: return new[] { value };
            }
        }
    }
}
