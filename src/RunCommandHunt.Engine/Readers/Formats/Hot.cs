using System.Runtime.CompilerServices;

namespace RunCommandHunt.Engine.Readers.Formats
{
    internal static class Hot
    {
        /// <summary>MethodImplOptions.AggressiveOptimization (not in netstandard2.0's enum; honoured by .NET Core 3+):
        /// the per-row loops run once per hunt, so they are compiled fully optimised at once instead of spending
        /// the first seconds of a large file in unoptimised tier-0 code.</summary>
        public const MethodImplOptions Optimize = (MethodImplOptions)512;
    }
}
