using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace RunCommandHunt.HelpBuilder
{
    /// <summary>
    /// RunCommandHunt.HelpBuilder --docs DIR --out DIR [--manifest FILE.psd1] [--assembly NAME.dll]
    /// Reads DIR/cmdlets/*.md and DIR/about_*.md, writes OUT/NAME.dll-Help.xml and OUT/about_*.help.txt.
    /// With --manifest, every cmdlet in CmdletsToExport must have a page and every page an exported cmdlet.
    /// Exit code 0 when written, 1 on a problem in the sources (each printed as file(line,column): error ...), 2 on usage.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string? docs = null, output = null, manifest = null, assembly = "RunCommandHunt.dll";
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                try
                {
                    switch (args[i])
                    {
                        case "--docs": docs = Next(); break;
                        case "--out": output = Next(); break;
                        case "--manifest": manifest = Next(); break;
                        case "--assembly": assembly = Next(); break;
                        default: throw new ArgumentException($"unknown argument '{args[i]}'");
                    }
                }
                catch (ArgumentException ex)
                {
                    Console.Error.WriteLine("RunCommandHunt.HelpBuilder: " + ex.Message);
                    return 2;
                }
            }
            if (docs == null || output == null)
            {
                Console.Error.WriteLine("usage: RunCommandHunt.HelpBuilder --docs DIR --out DIR [--manifest FILE.psd1] [--assembly NAME.dll]");
                return 2;
            }

            var result = Build(Path.GetFullPath(docs), manifest == null ? null : Path.GetFullPath(manifest));
            foreach (var e in result.Errors) Console.Error.WriteLine(e.ToString());
            // Warnings go to standard output: MSBuild's Exec reports them as warnings there without failing.
            foreach (var w in result.Warnings) Console.WriteLine(w.ToString());
            if (result.Errors.Count > 0) return 1;

            Directory.CreateDirectory(output);
            var maml = Path.Combine(output, assembly + "-Help.xml");
            using (var w = XmlWriter.Create(maml, new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false) }))
                MamlWriter.Write(result.Cmdlets).Save(w);
            foreach (var (topic, text) in result.AboutTopics)
                File.WriteAllText(Path.Combine(output, topic + ".help.txt"), text, new UTF8Encoding(false));
            Console.WriteLine($"RunCommandHunt.HelpBuilder: {result.Cmdlets.Count} cmdlet(s) -> {maml}; {result.AboutTopics.Count} about topic(s).");
            return 0;
        }

        public sealed class BuildResult
        {
            public List<CmdletHelp> Cmdlets { get; } = new List<CmdletHelp>();
            public List<(string Topic, string Text)> AboutTopics { get; } = new List<(string, string)>();
            public List<HelpSourceException> Errors { get; } = new List<HelpSourceException>();
            /// <summary>Cmdlets exported without a page, pages without a cmdlet: the module still builds while a
            /// cmdlet is being written, and the help tests name the gap.</summary>
            public List<HelpSourceException> Warnings { get; } = new List<HelpSourceException>();
        }

        /// <summary>Reads every source; collects one problem per file so a build lists them all at once.</summary>
        public static BuildResult Build(string docsDir, string? manifest)
        {
            var result = new BuildResult();
            var cmdletDir = Path.Combine(docsDir, "cmdlets");
            var pages = Directory.Exists(cmdletDir)
                ? Directory.GetFiles(cmdletDir, "*.md").OrderBy(f => f, StringComparer.Ordinal).ToList()
                : new List<string>();
            foreach (var page in pages)
            {
                try
                {
                    var doc = MarkdownDocument.Parse(page, File.ReadAllText(page));
                    result.Cmdlets.Add(CmdletHelpParser.Parse(doc, Path.GetFileNameWithoutExtension(page)));
                }
                catch (HelpSourceException ex) { result.Errors.Add(ex); }
            }

            foreach (var about in Directory.GetFiles(docsDir, "about_*.md").OrderBy(f => f, StringComparer.Ordinal))
            {
                try
                {
                    var topic = Path.GetFileNameWithoutExtension(about);
                    result.AboutTopics.Add((topic, AboutTopicWriter.Write(MarkdownDocument.Parse(about, File.ReadAllText(about)), topic)));
                }
                catch (HelpSourceException ex) { result.Errors.Add(ex); }
            }

            if (manifest != null) CheckAgainstManifest(manifest, cmdletDir, pages, result);
            return result;
        }

        private static readonly Regex CmdletsToExport = new Regex(@"CmdletsToExport\s*=\s*@\(", RegexOptions.CultureInvariant);
        private static readonly Regex Quoted = new Regex(@"'([^']*)'|""([^""]*)""", RegexOptions.CultureInvariant);

        /// <summary>The manifest's CmdletsToExport, with each name's line and column.</summary>
        public static List<(string Name, int Line, int Column)> ExportedCmdlets(string manifest)
        {
            var text = File.ReadAllText(manifest).Replace("\r\n", "\n");
            var m = CmdletsToExport.Match(text);
            if (!m.Success) throw new HelpSourceException(manifest, 1, 1, "the manifest has no 'CmdletsToExport = @(...)'");
            int end = text.IndexOf(')', m.Index + m.Length);
            if (end < 0) throw new HelpSourceException(manifest, LineOf(text, m.Index), 1, "CmdletsToExport = @( is never closed");
            var list = new List<(string, int, int)>();
            foreach (Match q in Quoted.Matches(text.Substring(m.Index + m.Length, end - m.Index - m.Length)))
            {
                int at = m.Index + m.Length + q.Index;
                int lineStart = text.LastIndexOf('\n', at) + 1;
                list.Add((q.Groups[1].Success ? q.Groups[1].Value : q.Groups[2].Value, LineOf(text, at), at - lineStart + 1));
            }
            return list;
        }

        private static int LineOf(string text, int index) => text.Take(index).Count(c => c == '\n') + 1;

        private static void CheckAgainstManifest(string manifest, string cmdletDir, List<string> pages, BuildResult result)
        {
            List<(string Name, int Line, int Column)> exported;
            try { exported = ExportedCmdlets(manifest); }
            catch (HelpSourceException ex) { result.Errors.Add(ex); return; }
            var documented = pages.Select(Path.GetFileNameWithoutExtension).ToList();
            foreach (var (name, line, column) in exported)
                if (!documented.Contains(name, StringComparer.Ordinal))
                    result.Warnings.Add(new HelpSourceException(manifest, line, column,
                        $"cmdlet {name} is exported but has no help page; write {Path.Combine(cmdletDir, name + ".md")}", name, isWarning: true));
            foreach (var page in pages)
            {
                var name = Path.GetFileNameWithoutExtension(page);
                if (!exported.Any(e => e.Name == name))
                    result.Warnings.Add(new HelpSourceException(page, 1, 1, $"this page documents {name}, which the manifest does not export (CmdletsToExport)", name, isWarning: true));
            }
        }
    }
}
