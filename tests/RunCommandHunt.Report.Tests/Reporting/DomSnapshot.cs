using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;

namespace RunCommandHunt.Report.Tests.Reporting
{
    /// <summary>One element of a serialised DOM.</summary>
    internal sealed class DomElement
    {
        public DomElement(string name, Dictionary<string, string> attributes) { Name = name; Attributes = attributes; }
        public string Name { get; }
        public Dictionary<string, string> Attributes { get; }
        public string Attr(string name) => Attributes.TryGetValue(name, out var v) ? v : "";
        public bool HasClass(string c) => Attr("class").Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(c);
    }

    /// <summary>
    /// Reads Chromium's --dump-dom output: the HTML serialisation of the live DOM. That serialisation is regular
    /// (every attribute double-quoted with '"' escaped, '&lt;' in text escaped), so a small tokenizer sees exactly the
    /// elements that exist: an injected element shows up as an element, escaped text as text.
    /// </summary>
    internal sealed class DomSnapshot
    {
        private static readonly HashSet<string> RawText = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "script", "style" };

        public List<DomElement> Elements { get; } = new List<DomElement>();
        /// <summary>Every text node, entity-decoded, separated by '\u0001' so texts of different nodes never join.</summary>
        public string Text { get; private set; } = "";
        public List<string> TextNodes { get; } = new List<string>();

        public static DomSnapshot Parse(string html)
        {
            var dom = new DomSnapshot();
            var text = new StringBuilder();
            int i = 0, n = html.Length;
            void FlushText()
            {
                if (text.Length == 0) return;
                dom.TextNodes.Add(WebUtility.HtmlDecode(text.ToString()));
                text.Clear();
            }
            while (i < n)
            {
                char c = html[i];
                if (c != '<') { text.Append(c); i++; continue; }
                FlushText();
                if (string.CompareOrdinal(html, i, "<!--", 0, 4) == 0) { i = End(html, i, "-->") ; continue; }
                if (i + 1 < n && (html[i + 1] == '!' || html[i + 1] == '/' || html[i + 1] == '?')) { i = End(html, i, ">"); continue; }

                int j = i + 1;
                while (j < n && (char.IsLetterOrDigit(html[j]) || html[j] == '-')) j++;
                var name = html.Substring(i + 1, j - i - 1).ToLowerInvariant();
                if (name.Length == 0) throw new FormatException($"Unexpected '<' at {i} in the serialised DOM.");
                var attrs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                while (true)
                {
                    while (j < n && char.IsWhiteSpace(html[j])) j++;
                    if (j >= n) throw new FormatException("Unterminated tag <" + name);
                    if (html[j] == '>') { j++; break; }
                    if (html[j] == '/' && j + 1 < n && html[j + 1] == '>') { j += 2; break; }
                    int a = j;
                    while (j < n && !char.IsWhiteSpace(html[j]) && html[j] != '=' && html[j] != '>' && html[j] != '/') j++;
                    var attrName = html.Substring(a, j - a);
                    string value = "";
                    if (j < n && html[j] == '=')
                    {
                        j++;
                        if (html[j] != '"') throw new FormatException($"Unquoted attribute {attrName} on <{name}>.");
                        int close = html.IndexOf('"', j + 1);
                        value = WebUtility.HtmlDecode(html.Substring(j + 1, close - j - 1));
                        j = close + 1;
                    }
                    else if (j < n && html[j] == '/') j++;
                    attrs[attrName] = value;
                }
                dom.Elements.Add(new DomElement(name, attrs));
                i = j;
                if (RawText.Contains(name))
                {
                    int close = html.IndexOf("</" + name, i, StringComparison.OrdinalIgnoreCase);
                    i = close < 0 ? n : close;
                }
            }
            FlushText();
            dom.Text = string.Join("\u0001", dom.TextNodes);
            return dom;
        }

        private static int End(string html, int from, string terminator)
        {
            int e = html.IndexOf(terminator, from, StringComparison.Ordinal);
            return e < 0 ? html.Length : e + terminator.Length;
        }
    }
}
