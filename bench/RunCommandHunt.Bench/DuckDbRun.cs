using System;
using System.Diagnostics;
using DuckDB.NET.Data;

namespace RunCommandHunt.Bench
{
    /// <summary>Child side: one DuckDB query in this process, defaults as shipped (all cores, default memory limit).</summary>
    public static class DuckDbRun
    {
        private static readonly long UnixEpochTicks = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

        public static ChildResult Hunt(string evidenceDir, bool analyticRule, string runName)
        {
            var result = new ChildResult { Run = runName };
            var sql = analyticRule ? DuckDbSql.AnalyticRule(evidenceDir) : DuckDbSql.Corrected(evidenceDir);
            var clock = Stopwatch.StartNew();
            using (var connection = new DuckDBConnection("Data Source=:memory:"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    result.Findings.Add(new Finding
                    {
                        CorrelationId = reader.GetString(0),
                        VirtualMachineName = reader.GetString(1),
                        // epoch nanoseconds -> .NET ticks (100 ns)
                        StartTimeTicks = UnixEpochTicks + reader.GetInt64(2) / 100,
                        PowershellFileName = reader.GetString(3),
                        ScriptFingerprintHash = reader.GetString(4),
                        HashCount = reader.GetInt64(5),
                        Prevalence = reader.GetDouble(7),
                    });
                    result.Totals = reader.GetInt64(6);
                }
            }
            result.HuntSeconds = clock.Elapsed.TotalSeconds;
            return result;
        }

        /// <summary>Rows per table as DuckDB parses them with the benchmark's column types (untimed; a check on the CSV).</summary>
        public static ChildResult Count(string evidenceDir)
        {
            var result = new ChildResult { Run = "duckdb-count" };
            var clock = Stopwatch.StartNew();
            using var connection = new DuckDBConnection("Data Source=:memory:");
            connection.Open();
            foreach (var table in DuckDbSql.Tables)
            {
                using var command = connection.CreateCommand();
                command.CommandText = DuckDbSql.Count(evidenceDir, table);
                result.RowsRead[table] = Convert.ToInt64(command.ExecuteScalar());
            }
            result.HuntSeconds = clock.Elapsed.TotalSeconds;
            return result;
        }
    }
}
