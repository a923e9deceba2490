using System.Collections.Generic;
using System.Linq;

namespace RunCommandHunt.Engine.Tests.Oracle
{
    /// <summary>Something that can answer the seed queries over an <see cref="Evidence"/> set: the oracle, or the
    /// engine. The quirk tests are written once against this and run against both.</summary>
    public interface ISeedRunner
    {
        /// <summary>The seed's operations table (its first project), for mode HuntingQuery or AnalyticRule.</summary>
        IReadOnlyList<OperationRow> Operations(Evidence evidence, CompatibilityMode mode);

        /// <summary>Seed 000's result, in its order.</summary>
        IReadOnlyList<HuntingQueryRow> HuntingQuery(Evidence evidence);

        /// <summary>Seed 003's result; its order is undefined.</summary>
        IReadOnlyList<AnalyticRuleRow> AnalyticRule(Evidence evidence);

        /// <summary>tostring() of a dynamic array of strings.</summary>
        string CommandsJson(IReadOnlyList<string> commands);

        /// <summary>hash_sha256(tostring(commands)).</summary>
        string CommandsHash(IReadOnlyList<string> commands);
    }

    /// <summary>The oracle behind <see cref="ISeedRunner"/>.</summary>
    public sealed class OracleRunner : ISeedRunner
    {
        public IReadOnlyList<OperationRow> Operations(Evidence evidence, CompatibilityMode mode)
        {
            var tables = evidence.ToTables();
            var ops = mode == CompatibilityMode.HuntingQuery
                ? SeedOracle.HuntingQueryOperations(tables.AzureActivity)
                : SeedOracle.AnalyticRuleOperations(tables.AzureActivity);
            return ops.Rows.Select(OperationRow.FromOracle).ToList();
        }

        public IReadOnlyList<HuntingQueryRow> HuntingQuery(Evidence evidence)
        {
            var t = evidence.ToTables();
            return SeedOracle.HuntingQuery(t.AzureActivity, t.DeviceFileEvents, t.DeviceEvents).Rows
                .Select(HuntingQueryRow.FromOracle).ToList();
        }

        public IReadOnlyList<AnalyticRuleRow> AnalyticRule(Evidence evidence)
        {
            var t = evidence.ToTables();
            return SeedOracle.AnalyticRule(t.AzureActivity, t.DeviceFileEvents, t.DeviceEvents).Rows
                .Select(AnalyticRuleRow.FromOracle).ToList();
        }

        public string CommandsJson(IReadOnlyList<string> commands) => Kql.ToStr(commands.Cast<object?>().ToList());

        public string CommandsHash(IReadOnlyList<string> commands) => Kql.HashSha256(Kql.ToStr(commands.Cast<object?>().ToList()));
    }
}
