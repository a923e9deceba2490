using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;

namespace RunCommandHunt.HelpBuilder
{
    /// <summary>
    /// Cmdlet help -> the MAML file Get-Help reads for a binary module (&lt;Assembly&gt;.dll-Help.xml), in the shape
    /// platyPS writes: helpItems/command:command with details, description, syntax, parameters, inputTypes,
    /// returnValues, alertSet, examples and relatedLinks.
    /// </summary>
    public static class MamlWriter
    {
        public static readonly XNamespace Msh = "http://msh";
        public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
        public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
        public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

        public static XDocument Write(IEnumerable<CmdletHelp> cmdlets)
        {
            var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"));
            foreach (var c in cmdlets) root.Add(CommandElement(c));
            return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
        }

        private static XElement CommandElement(CmdletHelp c)
        {
            var command = new XElement(Command + "command",
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
                new XElement(Command + "details",
                    new XElement(Command + "name", c.Name),
                    new XElement(Command + "verb", c.Verb),
                    new XElement(Command + "noun", c.Noun),
                    Description(c.Synopsis)),
                Description(c.Description),
                new XElement(Command + "syntax", c.Syntax.Select(s => SyntaxItem(c, s))),
                new XElement(Command + "parameters", c.Parameters.Select(p => Parameter(p, p.Info[0], inSyntax: false))),
                new XElement(Command + "inputTypes", c.Inputs.Select(t => TypeEntry("inputType", t))),
                new XElement(Command + "returnValues", c.Outputs.Select(t => TypeEntry("returnValue", t))),
                new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(c.Notes))),
                new XElement(Command + "examples", c.Examples.Select((e, i) => ExampleElement(e))),
                new XElement(Command + "relatedLinks", RelatedLinks(c)));
            return command;
        }

        private static XElement Description(IEnumerable<string> paragraphs) =>
            new XElement(Maml + "description", Paras(paragraphs));

        private static IEnumerable<XElement> Paras(IEnumerable<string> paragraphs)
        {
            var list = paragraphs.ToList();
            if (list.Count == 0) return new[] { new XElement(Maml + "para") };
            return list.Select(p => new XElement(Maml + "para", p));
        }

        private static XElement SyntaxItem(CmdletHelp c, SyntaxSet set)
        {
            var item = new XElement(Command + "syntaxItem", new XElement(Maml + "name", c.Name));
            foreach (var name in set.ParameterOrder)
            {
                var p = c.Parameters.First(x => x.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
                item.Add(Parameter(p, p.For(set.Name)!, inSyntax: true));
            }
            return item;
        }

        private static XElement Parameter(ParameterHelp p, ParameterSetInfo info, bool inSyntax)
        {
            var e = new XElement(Command + "parameter",
                new XAttribute("required", info.Required ? "true" : "false"),
                new XAttribute("variableLength", "true"),
                new XAttribute("globbing", info.Globbing ? "true" : "false"),
                new XAttribute("pipelineInput", info.PipelineInput),
                new XAttribute("position", info.Position),
                new XAttribute("aliases", info.Aliases.Count == 0 ? "none" : string.Join(", ", info.Aliases)),
                new XElement(Maml + "name", p.Name),
                Description(p.Description));
            // A switch takes no value: Get-Help shows "-Name" alone.
            if (!p.IsSwitch)
            {
                if (inSyntax && info.AcceptedValues.Count > 0)
                    e.Add(new XElement(Command + "parameterValueGroup",
                        info.AcceptedValues.Select(v => new XElement(Command + "parameterValue",
                            new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v))));
                e.Add(new XElement(Command + "parameterValue",
                    new XAttribute("required", "true"), new XAttribute("variableLength", "false"), info.Type));
            }
            e.Add(new XElement(Dev + "type", new XElement(Maml + "name", info.Type), new XElement(Maml + "uri")));
            e.Add(new XElement(Dev + "defaultValue", p.IsSwitch && info.DefaultValue == "None" ? "False" : info.DefaultValue));
            return e;
        }

        private static XElement TypeEntry(string element, TypeHelp t) =>
            new XElement(Command + element,
                new XElement(Dev + "type", new XElement(Maml + "name", t.Name)),
                Description(t.Description));

        private static XElement ExampleElement(Example e) =>
            new XElement(Command + "example",
                new XElement(Maml + "title", "-------------------------- " + e.Title + " --------------------------"),
                new XElement(Dev + "code", e.Code),
                // A trailing empty paragraph: Get-Help then leaves a blank line before the next example's title.
                new XElement(Dev + "remarks", Paras(e.Remarks), new XElement(Maml + "para")));

        private static IEnumerable<XElement> RelatedLinks(CmdletHelp c)
        {
            if (c.OnlineUri.Length > 0)
                yield return Link("Online Version:", c.OnlineUri);
            foreach (var (text, target) in c.RelatedLinks)
            {
                // Get-Help -Online opens web addresses only; a page of these docs is named by its title.
                bool web = target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                yield return Link(text, web ? target : "");
            }
        }

        private static XElement Link(string text, string uri) =>
            new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", uri));
    }
}
