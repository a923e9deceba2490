using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;

namespace RunCommandHunt.HelpBuilder
{
    public sealed class CmdletHelp
    {
        public string Name = "";
        public string File = "";
        public string OnlineUri = "";
        public List<string> Synopsis = new List<string>();
        public List<string> Description = new List<string>();
        public List<SyntaxSet> Syntax = new List<SyntaxSet>();
        public List<Example> Examples = new List<Example>();
        public List<ParameterHelp> Parameters = new List<ParameterHelp>();
        public List<TypeHelp> Inputs = new List<TypeHelp>();
        public List<TypeHelp> Outputs = new List<TypeHelp>();
        public List<string> Notes = new List<string>();
        public List<(string Text, string Target)> RelatedLinks = new List<(string, string)>();

        public string Verb => Name.Substring(0, Name.IndexOf('-'));
        public string Noun => Name.Substring(Name.IndexOf('-') + 1);
    }

    public sealed class SyntaxSet
    {
        public string Name = "";
        public bool IsDefault;
        public int Line;
        /// <summary>Parameter names in the order the syntax line writes them.</summary>
        public List<string> ParameterOrder = new List<string>();
    }

    public sealed class Example
    {
        public string Title = "";
        public string Code = "";
        public List<string> Remarks = new List<string>();
    }

    /// <summary>What one ```yaml block says about a parameter in the parameter sets it names.</summary>
    public sealed class ParameterSetInfo
    {
        public string Type = "";
        /// <summary>Set names, or "(All)".</summary>
        public List<string> Sets = new List<string>();
        public List<string> Aliases = new List<string>();
        public List<string> AcceptedValues = new List<string>();
        public bool Required;
        /// <summary>"named" or a number.</summary>
        public string Position = "named";
        public string DefaultValue = "None";
        /// <summary>MAML's text: "False", "True (ByValue)", "True (ByPropertyName)", "True (ByPropertyName, ByValue)".</summary>
        public string PipelineInput = "False";
        public bool Globbing;
        public int Line;
        public int SetsLine;

        public bool AppliesTo(string set) => Sets.Contains("(All)") || Sets.Contains(set, StringComparer.OrdinalIgnoreCase);
    }

    public sealed class ParameterHelp
    {
        public string Name = "";
        public int Line;
        public List<string> Description = new List<string>();
        public List<ParameterSetInfo> Info = new List<ParameterSetInfo>();

        public bool IsSwitch => Info.Count > 0 && Info[0].Type.Equals("SwitchParameter", StringComparison.OrdinalIgnoreCase);
        public ParameterSetInfo? For(string set) => Info.FirstOrDefault(i => i.AppliesTo(set));
    }

    public sealed class TypeHelp
    {
        public string Name = "";
        public List<string> Description = new List<string>();
    }

    /// <summary>docs/cmdlets/&lt;Cmdlet&gt;.md (platyPS layout) -> <see cref="CmdletHelp"/>, checked as it goes.</summary>
    public static class CmdletHelpParser
    {
        public const string AllSets = "__AllParameterSets";

        private static readonly string[] RequiredSections =
            { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

        private static readonly string[] YamlKeys =
        {
            "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value",
            "Accept pipeline input", "Accept wildcard characters",
        };

        private static readonly string[] PipelineValues =
            { "False", "True (ByValue)", "True (ByPropertyName)", "True (ByPropertyName, ByValue)", "True (ByValue, ByPropertyName)" };

        private static readonly Regex SyntaxParameter = new Regex(@"(?<![\w-])-([A-Za-z][A-Za-z0-9]*)\b", RegexOptions.CultureInvariant);

        public const int MinimumExamples = 2;

        public static CmdletHelp Parse(MarkdownDocument doc, string expectedName)
        {
            var file = doc.File;
            var h1 = doc.Root.Children;
            if (h1.Count != 1)
                throw new HelpSourceException(file, h1.Count > 1 ? h1[1].Line : 1, 1, "a cmdlet page has exactly one '# <Cmdlet-Name>' heading");
            var top = h1[0];
            if (!string.Equals(top.Title, expectedName, StringComparison.Ordinal))
                throw new HelpSourceException(file, top.Line, 3, $"the heading must be the cmdlet name '{expectedName}' (the file's name)", top.Title);
            if (top.Title.IndexOf('-') <= 0)
                throw new HelpSourceException(file, top.Line, 3, "a cmdlet name is Verb-Noun", top.Title);

            var help = new CmdletHelp { Name = top.Title, File = file };
            doc.FrontMatter.TryGetValue("online version", out var online);
            help.OnlineUri = online ?? "";

            foreach (var s in top.Children)
                if (Array.IndexOf(RequiredSections, s.Title) < 0)
                    throw new HelpSourceException(file, s.Line, 4, $"unknown section; the sections are {string.Join(", ", RequiredSections)}", s.Title);
            foreach (var name in RequiredSections)
                if (top.Children.All(s => s.Title != name))
                    throw new HelpSourceException(file, top.Line, 1, $"section '## {name}' is missing");
            Section Get(string name) => top.Children.First(s => s.Title == name);

            help.Synopsis = Paragraphs(Get("SYNOPSIS"));
            if (help.Synopsis.Count == 0) throw new HelpSourceException(file, Get("SYNOPSIS").Line, 1, "SYNOPSIS is empty");
            help.Description = Paragraphs(Get("DESCRIPTION"));
            if (help.Description.Count == 0) throw new HelpSourceException(file, Get("DESCRIPTION").Line, 1, "DESCRIPTION is empty");

            ParseParameters(file, Get("PARAMETERS"), help);
            ParseSyntax(file, Get("SYNTAX"), help);
            ParseExamples(file, Get("EXAMPLES"), help);
            help.Inputs = Types(file, Get("INPUTS"));
            help.Outputs = Types(file, Get("OUTPUTS"));
            help.Notes = Paragraphs(Get("NOTES"));
            foreach (var b in Get("RELATED LINKS").Blocks)
            {
                if (b.Kind == BlockKind.Code || b.Text.Contains(") ["))
                    throw new HelpSourceException(file, b.Line, 1, "write one related link per line, each as a list item ('- [text](target)')", b.Text);
                help.RelatedLinks.Add(Inline.Link(b.Text));
            }
            return help;
        }

        /// <summary>A section's own paragraphs, list items and code as MAML paragraphs (code kept as written).</summary>
        public static List<string> Paragraphs(Section s) =>
            s.Blocks.Select(b => b.Kind == BlockKind.Code ? b.Text : Inline.ToPlainText(b.Text)).ToList();

        private static void ParseParameters(string file, Section section, CmdletHelp help)
        {
            foreach (var p in section.Children)
            {
                if (p.Title == "CommonParameters") continue;
                if (!p.Title.StartsWith("-", StringComparison.Ordinal) || p.Title.Length < 2 || p.Title.Skip(1).Any(c => !char.IsLetterOrDigit(c)))
                    throw new HelpSourceException(file, p.Line, 5, "a parameter heading is '### -Name' (or '### CommonParameters')", p.Title);
                var name = p.Title.Substring(1);
                if (help.Parameters.Any(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
                    throw new HelpSourceException(file, p.Line, 5, "this parameter is documented twice", p.Title);

                var ph = new ParameterHelp { Name = name, Line = p.Line };
                foreach (var b in p.Blocks)
                {
                    if (b.Kind == BlockKind.Code && b.Language.Equals("yaml", StringComparison.OrdinalIgnoreCase))
                        ph.Info.Add(ParseYaml(file, b, name));
                    else
                        ph.Description.Add(b.Kind == BlockKind.Code ? b.Text : Inline.ToPlainText(b.Text));
                }
                if (ph.Description.Count == 0) throw new HelpSourceException(file, p.Line, 5, $"parameter -{name} has no description");
                if (ph.Info.Count == 0) throw new HelpSourceException(file, p.Line, 5, $"parameter -{name} has no ```yaml block (Type, Parameter Sets, Required, Position, ...)");
                if (ph.Info.Select(i => i.Type).Distinct(StringComparer.OrdinalIgnoreCase).Count() > 1)
                    throw new HelpSourceException(file, ph.Info[1].Line, 1, $"parameter -{name} has different types in its yaml blocks", ph.Info[1].Type);
                help.Parameters.Add(ph);
            }
        }

        private static ParameterSetInfo ParseYaml(string file, Block block, string parameter)
        {
            var info = new ParameterSetInfo { Line = block.Line };
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var lines = block.Text.Split('\n');
            for (int k = 0; k < lines.Length; k++)
            {
                var raw = lines[k];
                int lineNo = block.Line + 1 + k;
                if (raw.Trim().Length == 0) continue;
                int colon = raw.IndexOf(':');
                if (colon <= 0) throw new HelpSourceException(file, lineNo, 1, $"-{parameter}: a yaml line is 'Key: value'", raw);
                var key = raw.Substring(0, colon).Trim();
                var value = raw.Substring(colon + 1).Trim();
                int valueStart = colon + 1;
                while (valueStart < raw.Length && raw[valueStart] == ' ') valueStart++;
                int valueColumn = valueStart + 1;
                if (!YamlKeys.Contains(key, StringComparer.Ordinal))
                    throw new HelpSourceException(file, lineNo, 1, $"-{parameter}: unknown key; the keys are {string.Join(", ", YamlKeys)}", key);
                if (!seen.Add(key)) throw new HelpSourceException(file, lineNo, 1, $"-{parameter}: key given twice", key);
                switch (key)
                {
                    case "Type":
                        if (value.Length == 0) throw new HelpSourceException(file, lineNo, valueColumn, $"-{parameter}: Type is empty");
                        info.Type = value;
                        break;
                    case "Parameter Sets":
                        info.Sets = List(value);
                        info.SetsLine = lineNo;
                        if (info.Sets.Count == 0) throw new HelpSourceException(file, lineNo, valueColumn, $"-{parameter}: name the parameter sets, or (All)");
                        break;
                    case "Aliases": info.Aliases = List(value); break;
                    case "Accepted values": info.AcceptedValues = List(value); break;
                    case "Required": info.Required = Bool(file, lineNo, valueColumn, parameter, key, value); break;
                    case "Position":
                        if (value.Equals("Named", StringComparison.OrdinalIgnoreCase)) info.Position = "named";
                        else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pos)) info.Position = pos.ToString(CultureInfo.InvariantCulture);
                        else throw new HelpSourceException(file, lineNo, valueColumn, $"-{parameter}: Position is Named or a number", value);
                        break;
                    case "Default value": info.DefaultValue = value.Length == 0 ? "None" : value; break;
                    case "Accept pipeline input":
                        var match = PipelineValues.FirstOrDefault(v => v.Equals(value, StringComparison.OrdinalIgnoreCase));
                        if (match == null) throw new HelpSourceException(file, lineNo, valueColumn, $"-{parameter}: Accept pipeline input is one of {string.Join(" | ", PipelineValues)}", value);
                        info.PipelineInput = match;
                        break;
                    case "Accept wildcard characters": info.Globbing = Bool(file, lineNo, valueColumn, parameter, key, value); break;
                }
            }
            foreach (var required in new[] { "Type", "Parameter Sets", "Required", "Position", "Accept pipeline input" })
                if (!seen.Contains(required))
                    throw new HelpSourceException(file, block.Line, 1, $"-{parameter}: the yaml block lacks '{required}:'");
            return info;
        }

        private static bool Bool(string file, int line, int column, string parameter, string key, string value)
        {
            if (value.Equals("True", StringComparison.OrdinalIgnoreCase)) return true;
            if (value.Equals("False", StringComparison.OrdinalIgnoreCase)) return false;
            throw new HelpSourceException(file, line, column, $"-{parameter}: {key} is True or False", value);
        }

        private static List<string> List(string value) =>
            value.Split(',').Select(v => v.Trim()).Where(v => v.Length > 0).ToList();

        private static void ParseSyntax(string file, Section section, CmdletHelp help)
        {
            if (section.Children.Count == 0)
                throw new HelpSourceException(file, section.Line, 1, "SYNTAX needs a '### <ParameterSet>' heading per parameter set (### __AllParameterSets when there is one)");
            foreach (var s in section.Children)
            {
                var title = s.Title;
                var set = new SyntaxSet { Line = s.Line };
                if (title.EndsWith("(Default)", StringComparison.Ordinal))
                {
                    set.IsDefault = true;
                    title = title.Substring(0, title.Length - "(Default)".Length).Trim();
                }
                set.Name = title;
                var code = s.Blocks.FirstOrDefault(b => b.Kind == BlockKind.Code);
                if (code == null) throw new HelpSourceException(file, s.Line, 1, $"parameter set {set.Name}: the syntax line is missing (a ``` block)");
                var text = code.Text.Trim();
                if (!text.StartsWith(help.Name + " ", StringComparison.Ordinal) && text != help.Name)
                    throw new HelpSourceException(file, code.Line + 1, 1, $"parameter set {set.Name}: the syntax line must start with {help.Name}", text);
                foreach (Match m in SyntaxParameter.Matches(text.Substring(help.Name.Length)))
                    set.ParameterOrder.Add(m.Groups[1].Value);

                // The syntax line and the parameters' yaml must agree, or Get-Help would show two different syntaxes.
                var expected = help.Parameters.Where(p => p.For(set.Name) != null).Select(p => p.Name).ToList();
                var missing = expected.Where(e => !set.ParameterOrder.Contains(e, StringComparer.OrdinalIgnoreCase)).ToList();
                var extra = set.ParameterOrder.Where(o => !expected.Contains(o, StringComparer.OrdinalIgnoreCase)).ToList();
                if (missing.Count > 0)
                    throw new HelpSourceException(file, code.Line + 1, 1, $"parameter set {set.Name}: the syntax line lacks {string.Join(", ", missing.Select(x => "-" + x))}, which PARAMETERS puts in this set", text);
                if (extra.Count > 0)
                    throw new HelpSourceException(file, code.Line + 1, 1, $"parameter set {set.Name}: {string.Join(", ", extra.Select(x => "-" + x))} is in the syntax line but PARAMETERS does not put it in this set", text);
                help.Syntax.Add(set);
            }
            var names = help.Syntax.Select(x => x.Name).ToList();
            foreach (var p in help.Parameters)
                foreach (var info in p.Info)
                    foreach (var set in info.Sets)
                        if (set != "(All)" && !names.Contains(set, StringComparer.OrdinalIgnoreCase))
                            throw new HelpSourceException(file, info.SetsLine, 17, $"-{p.Name}: parameter set '{set}' has no syntax under SYNTAX", set);
            if (help.Syntax.Count(x => x.IsDefault) > 1)
                throw new HelpSourceException(file, section.Line, 1, "more than one parameter set is marked (Default)");
        }

        private static void ParseExamples(string file, Section section, CmdletHelp help)
        {
            foreach (var e in section.Children)
            {
                if (!e.Title.StartsWith("Example ", StringComparison.Ordinal))
                    throw new HelpSourceException(file, e.Line, 5, "an example heading is '### Example N: what it shows'", e.Title);
                var code = e.Blocks.Where(b => b.Kind == BlockKind.Code).Select(b => b.Text).ToList();
                if (code.Count == 0) throw new HelpSourceException(file, e.Line, 1, $"{e.Title}: no code block");
                var remarks = e.Blocks.Where(b => b.Kind != BlockKind.Code).Select(b => Inline.ToPlainText(b.Text)).ToList();
                if (remarks.Count == 0) throw new HelpSourceException(file, e.Line, 1, $"{e.Title}: say what the example shows, after the code");
                help.Examples.Add(new Example { Title = e.Title, Code = string.Join("\n\n", code), Remarks = remarks });
            }
            if (help.Examples.Count < MinimumExamples)
                throw new HelpSourceException(file, section.Line, 1, $"EXAMPLES has {help.Examples.Count} example(s); at least {MinimumExamples} are required");
        }

        private static List<TypeHelp> Types(string file, Section section)
        {
            var list = new List<TypeHelp>();
            foreach (var t in section.Children)
                list.Add(new TypeHelp { Name = Inline.ToPlainText(t.Title), Description = Paragraphs(t) });
            if (list.Count == 0) throw new HelpSourceException(file, section.Line, 1, $"{section.Title}: give a '### <Type>' heading per type (### None when there is none)");
            return list;
        }
    }
}
