using System;
using System.Collections.Generic;
using System.Management.Automation;
using RunCommandHunt.Engine.Fingerprinting;

namespace RunCommandHunt.Formatting
{
    /// <summary>
    /// Getters of the properties RunCommandHunt.Types.ps1xml adds. Export-Csv writes a list as "System.String[]";
    /// these give the list as the compact JSON text Kusto's tostring() writes, so a CSV keeps it readably and
    /// hash_sha256 of PowershellScriptCommandsJson is the seeds' ScriptFingerprintHash of that list.
    /// </summary>
    public static class OutputMembers
    {
        public static string PowershellScriptCommandsJson(PSObject instance)
        {
            switch (instance?.BaseObject)
            {
                case RunCommandScriptExecution x: return Json(x.PowershellScriptCommands);
                case UniqueRunCommandScript u: return Json(u.PowershellScriptCommands);
                default: return "";
            }
        }

        public static string ActivityStatusValuesJson(PSObject instance) =>
            instance?.BaseObject is RunCommandOperation op ? Json(op.ActivityStatusValues) : "";

        private static string Json(IReadOnlyList<string>? list) => KustoJson.StringArray(list ?? Array.Empty<string>());
    }
}
