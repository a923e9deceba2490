using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Reflection;

namespace RunCommandHunt.Completion
{
    /// <summary>
    /// Tab completion of the column (property) names of an output type, in declaration order, for parameters that
    /// name columns: a report's -Property, a -SortBy or -GroupBy. A subclass per type, because an
    /// [ArgumentCompleter(typeof(...))] needs a parameterless class on PowerShell 5.1.
    /// </summary>
    public abstract class ColumnNameCompleter : IArgumentCompleter
    {
        private readonly string[] _columns;

        protected ColumnNameCompleter(Type outputType, params string[] extraColumns)
        {
            _columns = outputType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0)
                .Select(p => p.Name)
                .Concat(extraColumns)
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToArray();
        }

        public IReadOnlyList<string> Columns => _columns;

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var typed = CompletionText.Unquote(wordToComplete);
            foreach (var c in _columns)
                if (c.StartsWith(typed, StringComparison.OrdinalIgnoreCase))
                    yield return new CompletionResult(CompletionText.Quote(c, wordToComplete, always: false), c, CompletionResultType.ParameterValue, c);
        }
    }

    /// <summary>Columns of <see cref="RunCommandOperation"/>.</summary>
    public sealed class OperationColumnCompleter : ColumnNameCompleter
    {
        public OperationColumnCompleter() : base(typeof(RunCommandOperation), "ActivityStatusValuesJson") { }
    }

    /// <summary>Columns of <see cref="RunCommandScriptExecution"/>.</summary>
    public sealed class ScriptExecutionColumnCompleter : ColumnNameCompleter
    {
        public ScriptExecutionColumnCompleter() : base(typeof(RunCommandScriptExecution), "PowershellScriptCommandsJson") { }
    }

    /// <summary>Columns of <see cref="UniqueRunCommandScript"/>.</summary>
    public sealed class UniqueScriptColumnCompleter : ColumnNameCompleter
    {
        public UniqueScriptColumnCompleter() : base(typeof(UniqueRunCommandScript), "PowershellScriptCommandsJson") { }
    }
}
