using System;
using System.Collections.Generic;
using System.Globalization;

namespace RunCommandHunt.EvidenceGenerator
{
    internal enum RunCommandOutcome
    {
        /// <summary>Started, Accepted, Succeeded; the script was written and ran.</summary>
        Succeeded,
        /// <summary>Started, Accepted, Failed; the script was written and ran part-way.</summary>
        FailedAfterScript,
        /// <summary>Started, Failed; ARM refused it and nothing reached the machine.</summary>
        FailedBeforeScript,
    }

    /// <summary>Which ActivityStatusValue words the workspace logs (domain.md B.1).</summary>
    internal enum StatusVocabulary
    {
        /// <summary>Started / Accepted / Succeeded / Failed, OperationNameValue as ARM spells it.</summary>
        Legacy,
        /// <summary>Start / Accept / Success / Failure (diagnostic-settings era).</summary>
        Modern,
    }

    /// <summary>One planned action Run Command and everything it will leave behind; also its truth record.</summary>
    internal sealed class RunCommandOperation
    {
        public const string OperationName = "Microsoft.Compute/virtualMachines/runCommand/action";

        public int Index { get; set; }
        public string Scenario { get; set; } = "";
        public Machine Machine { get; set; } = null!;
        public Principal Caller { get; set; } = null!;
        public string CallerIpAddress { get; set; } = "";
        public ScriptBody Script { get; set; } = null!;
        public RunCommandOutcome Outcome { get; set; }
        public StatusVocabulary Vocabulary { get; set; }
        public bool UpperCaseOperationName { get; set; }
        /// <summary>The resource group as the caller typed it into the ARM URL (scope keeps that casing).</summary>
        public string ScopeResourceGroup { get; set; } = "";
        public string CorrelationId { get; set; } = "";
        public string OperationId { get; set; } = "";
        public string ClientRequestId { get; set; } = "";
        public string ErrorCode { get; set; } = "";
        public string ErrorMessage { get; set; } = "";

        public DateTime Started { get; set; }
        public DateTime? Accepted { get; set; }
        public DateTime Ended { get; set; }
        public DateTime? LogWritten { get; set; }
        public DateTime? FileCreated { get; set; }
        /// <summary>PowerShellCommand event times: [0] is the script file's own event, then one per command run.</summary>
        public DateTime[] PowerShellEventTimes { get; set; } = Array.Empty<DateTime>();
        public DateTime? StatusWritten { get; set; }

        /// <summary>N of scriptN.ps1: the machine's extension sequence number.</summary>
        public int SequenceNumber { get; set; } = -1;
        public long ExtensionProcessId { get; set; }
        public DateTime ExtensionProcessCreated { get; set; }
        public long CmdProcessId { get; set; }
        public long PowerShellProcessId { get; set; }

        public bool WroteScript => Outcome != RunCommandOutcome.FailedBeforeScript;
        public bool Succeeded => Outcome == RunCommandOutcome.Succeeded;

        public string OperationNameValue => UpperCaseOperationName ? OperationName.ToUpperInvariant() : OperationName;

        public string Scope => $"/subscriptions/{Machine.Subscription!.Id}/resourceGroups/{ScopeResourceGroup}/providers/Microsoft.Compute/virtualMachines/{Machine.VmName}";

        public string ScriptFileName => "script" + SequenceNumber.ToString(CultureInfo.InvariantCulture) + ".ps1";

        public string ScriptFolderPath => ImageCatalog.RunCommandPluginFolder(Machine.ExtensionVersion) + @"Downloads\" + ScriptFileName;

        /// <summary>The PowerShell command line MDE shows; relative file name, so the seeds' regex matches.</summary>
        public string PowerShellCommandLine =>
            (Machine.DoubleSpacedCommandLine ? "powershell  " : "powershell ") + "-ExecutionPolicy Unrestricted -File " + ScriptFileName;

        /// <summary>The commands that ran: all of them, or the ones before the failure.</summary>
        public IReadOnlyList<string> CommandsRun
        {
            get
            {
                int n = Math.Max(0, PowerShellEventTimes.Length - 1);
                var list = new string[n];
                for (int i = 0; i < n; i++) list[i] = Script.Commands[i];
                return list;
            }
        }

        public string[] ActivityStatusValues
        {
            get
            {
                bool legacy = Vocabulary == StatusVocabulary.Legacy;
                string start = legacy ? "Started" : "Start", accept = legacy ? "Accepted" : "Accept";
                string ok = legacy ? "Succeeded" : "Success", fail = legacy ? "Failed" : "Failure";
                return Outcome switch
                {
                    RunCommandOutcome.Succeeded => new[] { start, accept, ok },
                    RunCommandOutcome.FailedAfterScript => new[] { start, accept, fail },
                    _ => new[] { start, fail },
                };
            }
        }

        /// <summary>The Authorization text, identical on all events of the operation so the seeds' grouping by
        /// (CorrelationId, Authorization, Caller) keeps them together.</summary>
        public string Authorization => new JsonObject()
            .Add("action", OperationName)
            .Add("scope", Scope)
            .AddRaw("evidence", new JsonObject()
                .Add("role", Caller.RoleName)
                .Add("roleAssignmentScope", "/subscriptions/" + Machine.Subscription!.Id)
                .Add("roleAssignmentId", Caller.RoleAssignmentId)
                .Add("roleDefinitionId", Caller.RoleDefinitionId)
                .Add("principalId", Caller.ObjectId.Replace("-", ""))
                .Add("principalType", Caller.IsServicePrincipal ? "ServicePrincipal" : "User")
                .ToString())
            .ToString();

        /// <summary>Lays out the operation's moments from its start: ARM accepts within a second, the guest agent
        /// hands the script to RunCommandExtension 6-25 s later, PowerShell runs it, the status file is written,
        /// and ARM's next poll records the end. commandsToRun is how many cmdlets ran (all unless it failed).</summary>
        public void Schedule(DateTime started, Prng prng, int? commandsToRun = null)
        {
            Started = started;
            var t = started;
            if (Outcome == RunCommandOutcome.FailedBeforeScript)
            {
                Ended = t.AddTicks(prng.Seconds(0.4, 3));
                return;
            }
            Accepted = t = t.AddTicks(prng.Seconds(0.2, 1.2));
            LogWritten = t = t.AddTicks(prng.Seconds(6, 25));
            FileCreated = t = t.AddTicks(prng.Seconds(0.05, 0.4));
            int commands = commandsToRun ?? (Outcome == RunCommandOutcome.Succeeded
                ? Script.Commands.Count
                : Math.Max(1, Script.Commands.Count - 1 - prng.Next(Math.Max(1, Script.Commands.Count - 1))));
            var times = new DateTime[commands + 1];
            times[0] = t = t.AddTicks(prng.Seconds(0.8, 2.5));
            for (int i = 1; i < times.Length; i++) times[i] = t = t.AddTicks(prng.Seconds(0.03, 1.5));
            PowerShellEventTimes = times;
            StatusWritten = t = t.AddTicks(prng.Seconds(0.3, 1.5));
            Ended = t.AddTicks(prng.Seconds(2, 20));
            ExtensionProcessId = prng.ProcessId();
            ExtensionProcessCreated = LogWritten.Value.AddTicks(-prng.Seconds(0.2, 1.0));
            CmdProcessId = prng.ProcessId();
            PowerShellProcessId = prng.ProcessId();
        }
    }
}
