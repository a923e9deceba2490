using System;
using System.Collections.Generic;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>
    /// One copy of each text a hunt keeps. The reader's string pool shares a value only while it stays in its bounded
    /// table; what is kept past the read (device and script names, command lines, scopes, callers) repeats across rows
    /// read far apart, and is held once here instead.
    /// </summary>
    internal sealed class SharedTexts
    {
        private readonly Dictionary<string, string> texts = new Dictionary<string, string>(StringComparer.Ordinal);

        public string Share(string text)
        {
            if (text.Length == 0) return "";
            if (texts.TryGetValue(text, out var held)) return held;
            texts.Add(text, text);
            return text;
        }
    }
}
