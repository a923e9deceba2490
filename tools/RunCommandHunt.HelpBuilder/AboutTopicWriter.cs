using System;
using System.Linq;
using System.Text;

namespace RunCommandHunt.HelpBuilder
{
    /// <summary>
    /// docs/about_&lt;Topic&gt;.md -> about_&lt;Topic&gt;.help.txt in the classic layout (TOPIC, SHORT DESCRIPTION,
    /// LONG DESCRIPTION, ...): headings in capitals at the margin, text indented 4 and wrapped at 80 columns,
    /// code and tables indented 8 and kept as written.
    /// </summary>
    public static class AboutTopicWriter
    {
        public const int Width = 80;
        private static readonly string[] RequiredSections = { "SHORT DESCRIPTION", "LONG DESCRIPTION" };

        public static string Write(MarkdownDocument doc, string expectedTopic)
        {
            var h1 = doc.Root.Children;
            if (h1.Count != 1) throw new HelpSourceException(doc.File, h1.Count > 1 ? h1[1].Line : 1, 1, "an about topic has exactly one '# about_<Topic>' heading");
            var top = h1[0];
            if (!string.Equals(top.Title, expectedTopic, StringComparison.Ordinal))
                throw new HelpSourceException(doc.File, top.Line, 3, $"the heading must be the topic name '{expectedTopic}' (the file's name)", top.Title);
            foreach (var name in RequiredSections)
            {
                var s = top.Children.FirstOrDefault(c => c.Title.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (s == null) throw new HelpSourceException(doc.File, top.Line, 1, $"section '## {name}' is missing");
                if (s.Blocks.Count == 0 && s.Children.Count == 0) throw new HelpSourceException(doc.File, s.Line, 1, $"section '## {name}' is empty");
            }

            var sb = new StringBuilder();
            sb.Append("TOPIC\n    ").Append(top.Title).Append("\n\n");
            Blocks(sb, top, 4);
            foreach (var s in top.Children) SectionText(sb, s);
            return sb.ToString().TrimEnd('\n') + "\n";
        }

        private static void SectionText(StringBuilder sb, Section s)
        {
            if (s.Level == 2)
            {
                sb.Append(s.Title.ToUpperInvariant()).Append('\n');
            }
            else
            {
                var title = Inline.ToPlainText(s.Title);
                sb.Append("  ").Append(title).Append('\n').Append("  ").Append(new string('-', title.Length)).Append('\n');
            }
            Blocks(sb, s, 4);
            foreach (var c in s.Children) SectionText(sb, c);
        }

        private static void Blocks(StringBuilder sb, Section s, int indent)
        {
            var pad = new string(' ', indent);
            for (int k = 0; k < s.Blocks.Count; k++)
            {
                var b = s.Blocks[k];
                switch (b.Kind)
                {
                    case BlockKind.Code:
                        foreach (var line in b.Text.Split('\n'))
                            sb.Append(line.Length == 0 ? "" : pad + "    " + line).Append('\n');
                        break;
                    case BlockKind.ListItem:
                        var text = Inline.ToPlainText(b.Text);
                        int marker = text.IndexOf(' ') + 1;
                        bool first = true;
                        foreach (var line in Inline.Wrap(text.Substring(marker), Width - indent - marker))
                        {
                            sb.Append(pad).Append(first ? text.Substring(0, marker) : new string(' ', marker)).Append(line).Append('\n');
                            first = false;
                        }
                        break;
                    default:
                        foreach (var line in Inline.Wrap(Inline.ToPlainText(b.Text), Width - indent))
                            sb.Append(pad).Append(line).Append('\n');
                        break;
                }
                // A list reads as one block: no blank line between its items.
                bool listGoesOn = b.Kind == BlockKind.ListItem && k + 1 < s.Blocks.Count && s.Blocks[k + 1].Kind == BlockKind.ListItem;
                if (!listGoesOn) sb.Append('\n');
            }
        }
    }
}
