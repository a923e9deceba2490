using System.IO;

namespace RunCommandHunt.Engine.Reporting
{
    /// <summary>HTML escaping for text and double- or single-quoted attribute values.</summary>
    public static class HtmlText
    {
        /// <summary>Escapes &amp; &lt; &gt; " ' so a value can never open a tag, close an attribute or start an entity.</summary>
        public static string Escape(string? value)
        {
            if (string.IsNullOrEmpty(value)) return "";
            var sw = new StringWriter();
            Write(sw, value);
            return sw.ToString();
        }

        public static void Write(TextWriter w, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            foreach (var c in value!)
            {
                switch (c)
                {
                    case '&': w.Write("&amp;"); break;
                    case '<': w.Write("&lt;"); break;
                    case '>': w.Write("&gt;"); break;
                    case '"': w.Write("&quot;"); break;
                    case '\'': w.Write("&#39;"); break;
                    // The parser would turn NUL into U+FFFD anyway; do it here so the file is valid text.
                    case '\0': w.Write('\uFFFD'); break;
                    default: w.Write(c); break;
                }
            }
        }
    }
}
