using System;
using System.Collections.Generic;
using System.Text;

namespace RunCommandHunt.HelpBuilder
{
    /// <summary>A problem in a help source file, with the place and the offending text.</summary>
    public sealed class HelpSourceException : Exception
    {
        public HelpSourceException(string file, int line, int column, string message, string? value = null, bool isWarning = false)
            : base(message)
        {
            File = file; Line = line; Column = column; Value = value; IsWarning = isWarning;
        }

        public string File { get; }
        public int Line { get; }
        public int Column { get; }
        public string? Value { get; }
        /// <summary>A gap the build reports without failing (the help tests fail on it instead).</summary>
        public bool IsWarning { get; }

        /// <summary>MSBuild's canonical format, so the build lists it as an error or warning with its place.</summary>
        public override string ToString() =>
            $"{File}({Line},{Column}): {(IsWarning ? "warning" : "error")} RCHHELP: {Message}" + (Value == null ? "" : $" (found: '{Value}')");
    }

    public enum BlockKind { Paragraph, ListItem, Code }

    /// <summary>One block of a Markdown section: a paragraph, a list item or a fenced code block.</summary>
    public sealed class Block
    {
        public Block(BlockKind kind, string text, int line, string language = "")
        {
            Kind = kind; Text = text; Line = line; Language = language;
        }

        public BlockKind Kind { get; }
        /// <summary>Paragraphs and list items: their lines joined by a space. Code: the lines as written.</summary>
        public string Text { get; }
        public int Line { get; }
        public string Language { get; }
    }

    /// <summary>A heading and what follows it up to the next heading of the same or a higher level.</summary>
    public sealed class Section
    {
        public Section(int level, string title, int line)
        {
            Level = level; Title = title; Line = line;
        }

        public int Level { get; }
        public string Title { get; }
        public int Line { get; }
        public List<Block> Blocks { get; } = new List<Block>();
        public List<Section> Children { get; } = new List<Section>();
    }

    /// <summary>
    /// The subset of Markdown the help sources use (platyPS's layout): YAML front matter, ATX headings, paragraphs,
    /// "-"/"*"/"1." list items, fenced code blocks, and pipe tables (kept as code). Anything else is a paragraph.
    /// </summary>
    public sealed class MarkdownDocument
    {
        private MarkdownDocument(string file) { File = file; }

        public string File { get; }
        public Dictionary<string, string> FrontMatter { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>A synthetic level-0 root whose children are the level-1 headings.</summary>
        public Section Root { get; } = new Section(0, "", 0);

        public static MarkdownDocument Parse(string file, string text)
        {
            var doc = new MarkdownDocument(file);
            var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            int i = 0;

            if (lines.Length > 0 && lines[0].Trim() == "---")
            {
                i = 1;
                for (; i < lines.Length && lines[i].Trim() != "---"; i++)
                {
                    var l = lines[i];
                    if (l.Trim().Length == 0) continue;
                    int colon = l.IndexOf(':');
                    if (colon <= 0) throw new HelpSourceException(file, i + 1, 1, "front matter lines must be 'key: value'", l);
                    doc.FrontMatter[l.Substring(0, colon).Trim()] = l.Substring(colon + 1).Trim();
                }
                if (i >= lines.Length) throw new HelpSourceException(file, 1, 1, "front matter opened with '---' is never closed");
                i++;
            }

            var stack = new List<Section> { doc.Root };
            var para = new StringBuilder();
            int paraLine = 0;
            var paraKind = BlockKind.Paragraph;

            void Flush()
            {
                if (para.Length > 0) Current().Blocks.Add(new Block(paraKind, para.ToString(), paraLine));
                para.Clear();
                paraKind = BlockKind.Paragraph;
            }
            Section Current() => stack[stack.Count - 1];

            for (; i < lines.Length; i++)
            {
                var line = lines[i];
                var trimmed = line.Trim();
                int lineNo = i + 1;

                if (trimmed.StartsWith("```", StringComparison.Ordinal))
                {
                    Flush();
                    var fence = trimmed.Substring(0, trimmed.Length - trimmed.TrimStart('`').Length);
                    var language = trimmed.Substring(fence.Length).Trim();
                    int indent = line.Length - line.TrimStart().Length;
                    var code = new StringBuilder();
                    int start = lineNo;
                    i++;
                    for (; i < lines.Length && !lines[i].Trim().StartsWith(fence, StringComparison.Ordinal); i++)
                    {
                        var codeLine = lines[i];
                        // Code inside an indented list item: drop the list indent, keep the rest.
                        int strip = 0;
                        while (strip < indent && strip < codeLine.Length && codeLine[strip] == ' ') strip++;
                        if (code.Length > 0) code.Append('\n');
                        code.Append(codeLine.Substring(strip).TrimEnd());
                    }
                    if (i >= lines.Length) throw new HelpSourceException(file, start, indent + 1, "code block is never closed", trimmed);
                    Current().Blocks.Add(new Block(BlockKind.Code, code.ToString(), start, language));
                    continue;
                }

                if (trimmed.StartsWith("#", StringComparison.Ordinal) && line.StartsWith("#", StringComparison.Ordinal))
                {
                    int level = 0;
                    while (level < trimmed.Length && trimmed[level] == '#') level++;
                    if (level > 6 || level >= trimmed.Length || trimmed[level] != ' ')
                        throw new HelpSourceException(file, lineNo, 1, "a heading is '#' to '######', a space and a title", trimmed);
                    Flush();
                    var title = trimmed.Substring(level).Trim().TrimEnd('#').Trim();
                    while (Current().Level >= level) stack.RemoveAt(stack.Count - 1);
                    var section = new Section(level, title, lineNo);
                    Current().Children.Add(section);
                    stack.Add(section);
                    continue;
                }

                if (trimmed.Length == 0) { Flush(); continue; }

                // Pipe tables are kept as written: Get-Help shows them as preformatted text.
                if (trimmed.StartsWith("|", StringComparison.Ordinal))
                {
                    Flush();
                    var table = new StringBuilder();
                    int start = lineNo;
                    for (; i < lines.Length && lines[i].Trim().StartsWith("|", StringComparison.Ordinal); i++)
                    {
                        if (table.Length > 0) table.Append('\n');
                        table.Append(lines[i].Trim());
                    }
                    i--;
                    Current().Blocks.Add(new Block(BlockKind.Code, table.ToString(), start, "table"));
                    continue;
                }

                if (IsListItem(trimmed, out var itemText) && line.Length - line.TrimStart().Length < 2)
                {
                    Flush();
                    paraKind = BlockKind.ListItem;
                    paraLine = lineNo;
                    para.Append(itemText);
                    continue;
                }

                if (para.Length == 0) paraLine = lineNo;
                else para.Append(' ');
                para.Append(trimmed);
            }
            Flush();
            return doc;
        }

        private static bool IsListItem(string trimmed, out string text)
        {
            text = "";
            if ((trimmed.StartsWith("- ", StringComparison.Ordinal) || trimmed.StartsWith("* ", StringComparison.Ordinal)) && trimmed.Length > 2)
            {
                text = "- " + trimmed.Substring(2).Trim();
                return true;
            }
            int d = 0;
            while (d < trimmed.Length && char.IsDigit(trimmed[d])) d++;
            if (d > 0 && d + 1 < trimmed.Length && trimmed[d] == '.' && trimmed[d + 1] == ' ')
            {
                text = trimmed.Substring(0, d + 1) + " " + trimmed.Substring(d + 2).Trim();
                return true;
            }
            return false;
        }
    }

    /// <summary>Inline Markdown -> the plain text Get-Help shows.</summary>
    public static class Inline
    {
        public static string ToPlainText(string text)
        {
            var sb = new StringBuilder(text.Length);
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (c == '`') continue;
                if (c == '*' && i + 1 < text.Length && text[i + 1] == '*') { i++; continue; }
                if (c == '\\' && i + 1 < text.Length && "\\`*_[]()#|<>".IndexOf(text[i + 1]) >= 0) { sb.Append(text[++i]); continue; }
                if (c == '[')
                {
                    // [text](target): a page of these docs becomes its title, a web address is kept after it.
                    int close = text.IndexOf("](", i, StringComparison.Ordinal);
                    int end = close < 0 ? -1 : text.IndexOf(')', close + 2);
                    if (close > i && end > close)
                    {
                        var label = ToPlainText(text.Substring(i + 1, close - i - 1));
                        var target = text.Substring(close + 2, end - close - 2).Trim();
                        sb.Append(label);
                        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                            sb.Append(" (").Append(target).Append(')');
                        i = end;
                        continue;
                    }
                }
                sb.Append(c);
            }
            return sb.ToString();
        }

        /// <summary>Splits "[text](target)" into its two parts; a bare line is its own text with no target.</summary>
        public static (string Text, string Target) Link(string line)
        {
            var t = line.Trim();
            if (t.StartsWith("- ", StringComparison.Ordinal)) t = t.Substring(2).Trim();
            int close = t.IndexOf("](", StringComparison.Ordinal);
            if (t.StartsWith("[", StringComparison.Ordinal) && close > 0 && t.EndsWith(")", StringComparison.Ordinal))
                return (t.Substring(1, close - 1), t.Substring(close + 2, t.Length - close - 3).Trim());
            return (ToPlainText(t), "");
        }

        /// <summary>Greedy word wrap; words longer than the width stay whole.</summary>
        public static IEnumerable<string> Wrap(string text, int width)
        {
            var line = new StringBuilder();
            foreach (var word in text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > width)
                {
                    yield return line.ToString();
                    line.Clear();
                }
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
            }
            if (line.Length > 0) yield return line.ToString();
        }
    }
}
