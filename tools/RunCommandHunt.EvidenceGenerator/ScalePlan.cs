using System;
using System.Collections.Generic;
using System.Globalization;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>A day of a larger estate sized to about the requested number of rows: Run Commands are a few
    /// percent of the rows, noise the rest, DeviceEvents the largest table.</summary>
    internal static class ScalePlan
    {
        public static readonly DateTime Day = new DateTime(2025, 6, 2, 0, 0, 0, DateTimeKind.Utc);

        // Share of the noise rows per table.
        private const double ActivityShare = 0.08, FileShare = 0.27, EventShare = 0.65;

        public static EvidencePlan Build(Prng prng, long rows)
        {
            var plan = new EvidencePlan { Mode = "scaled", WindowStart = Day, Window = TimeSpan.FromDays(1) };
            int operations = (int)Math.Max(4, Math.Round(rows / 400.0));
            int vmCount = Math.Max(4, (int)Math.Ceiling(operations / 6.0));
            int workstationCount = Math.Max(2, vmCount / 3);
            BuildFleet(plan.Fleet, prng, vmCount, workstationCount);
            PlanOperations(plan, prng, operations);
            plan.Finish();

            long rcActivity = 0, rcFiles = 0, rcEvents = 0;
            foreach (var op in plan.Operations)
            {
                var (a, f, e) = RunCommandEmitter.RowCounts(op);
                rcActivity += a; rcFiles += f; rcEvents += e;
            }
            long noiseRows = Math.Max(0, rows - rcActivity - rcFiles - rcEvents);
            plan.ActivityNoise = (long)Math.Round(noiseRows * ActivityShare / NoiseEmitter.ActivityRowsPerCall);
            plan.FileNoise = (long)Math.Round(noiseRows * FileShare);
            plan.EventNoise = (long)Math.Round(noiseRows * EventShare / NoiseEmitter.EventRowsPerCall);
            return plan;
        }

        private static readonly string[] Roles = { "web", "app", "sql", "dc", "jump", "build", "file", "vm" };
        private static readonly string[] DnsSuffixes = { ".contoso.local", ".corp.contoso.com" };

        private static void BuildFleet(Fleet fleet, Prng prng, int vmCount, int workstationCount)
        {
            fleet.WorkspaceId = prng.GuidText();
            fleet.AadTenantId = prng.GuidText();
            fleet.PolicyCaller = prng.GuidText();
            int subs = Math.Min(12, Math.Max(2, vmCount / 40));
            for (int i = 0; i < subs; i++) fleet.Subscriptions.Add(new AzureSubscription(prng.GuidText()));

            var counters = new Dictionary<string, int>();
            for (int i = 0; i < vmCount; i++)
            {
                string role = prng.Pick(Roles);
                counters.TryGetValue(role, out int n);
                counters[role] = ++n;
                // Host names stay within the 15 characters Windows allows, so ARM name and host name agree.
                string host = role == "vm" ? "vm" + n.ToString("00", CultureInfo.InvariantCulture)
                    : role + "-" + (role == "sql" || role == "app" ? "prod-" : "") + n.ToString("00", CultureInfo.InvariantCulture);
                string armName = prng.Chance(0.3) ? host.ToUpperInvariant() : host;
                string device = prng.Chance(0.85) ? host : host.ToUpperInvariant();
                if (prng.Chance(0.6)) device += prng.Pick(DnsSuffixes);
                var sub = fleet.Subscriptions[prng.Next(fleet.Subscriptions.Count)];
                string rg = "rg-" + role + "-" + prng.Pick(new[] { "prod", "prod", "shared", "dev" });
                if (prng.Chance(0.2)) rg = rg.ToUpperInvariant();
                var vm = fleet.AddVm(prng, sub, rg, armName, device, role == "vm" ? "app" : role);
                vm.ExtensionVersion = prng.Chance(0.85) ? "1.1.22" : "1.1.18";
                vm.DoubleSpacedCommandLine = prng.Chance(0.15);
                double r = prng.NextDouble();
                vm.FirstScriptSequence = r < 0.55 ? 1 : r < 0.75 ? 0 : prng.Next(2, 91);
            }
            string[] people = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy" };
            for (int i = 0; i < workstationCount; i++)
            {
                string user = prng.Pick(people);
                string name = prng.Chance(0.5) ? "desktop-" + prng.Hex(4).Substring(0, 7) : "laptop-" + user + (i + 1).ToString("00", CultureInfo.InvariantCulture);
                fleet.AddWorkstation(prng, name + ".contoso.local", user);
            }
            foreach (var p in people)
            {
                var ips = prng.Chance(0.1)
                    ? new[] { Fleet.DocumentationIpv6(prng), Fleet.DocumentationIp(prng) }
                    : new[] { Fleet.DocumentationIp(prng), Fleet.DocumentationIp(prng) };
                fleet.Operators.Add(Fleet.User(prng, p + "@contoso.com", char.ToUpperInvariant(p[0]) + p.Substring(1) + " Contoso", ips));
            }
            foreach (var sp in new[] { "sp-automation-patching", "sp-devops-deploy", "mi-runbook-inventory" })
                fleet.Operators.Add(Fleet.ServicePrincipal(prng, sp, Fleet.DocumentationIp(prng)));
        }

        private static void PlanOperations(EvidencePlan plan, Prng prng, int count)
        {
            var fleet = plan.Fleet;
            var busy = new Dictionary<Machine, List<DateTime>>();
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (template, _) in ScriptCatalog.Common) used.Add(template.Body(0).Fingerprint);
            // Schedule() keeps an operation under about 70 s; 6 minutes apart leaves no overlap (Finish() checks).
            var gap = TimeSpan.FromMinutes(6);
            var latestStart = plan.WindowStart + plan.Window - TimeSpan.FromMinutes(45);

            bool Free(Machine vm, DateTime t)
            {
                if (!busy.TryGetValue(vm, out var list)) return true;
                foreach (var other in list) if ((other - t).Duration() < gap) return false;
                return true;
            }

            int attempts = 0;
            while (plan.Operations.Count < count && attempts++ < count * 20)
            {
                // A campaign: one caller runs one script on one or several machines within minutes.
                double r = prng.NextDouble();
                int size = Math.Min(count - plan.Operations.Count, r < 0.55 ? 1 : r < 0.85 ? prng.Next(2, 6) : prng.Next(6, 21));
                size = Math.Min(size, fleet.Vms.Count);
                var caller = prng.Pick(fleet.Operators);
                bool oneOff = size == 1 && prng.Chance(0.03);
                ScriptBody script = oneOff ? ScriptCatalog.OneOff(prng, used) : prng.PickWeighted(ScriptCatalog.Common).Body(prng);
                var start = plan.WindowStart.AddTicks(prng.Seconds(300, (latestStart - plan.WindowStart).TotalSeconds));
                var t = start;
                var targets = new HashSet<Machine>();
                while (targets.Count < size) targets.Add(prng.Pick(fleet.Vms));
                foreach (var vm in targets)
                {
                    t = t.AddTicks(prng.Seconds(3, 45));
                    var at = t;
                    for (int shift = 0; shift < 3 && !Free(vm, at); shift++) at = at.AddMinutes(7);
                    if (!Free(vm, at) || at > latestStart) continue;
                    if (!busy.TryGetValue(vm, out var list)) busy[vm] = list = new List<DateTime>();
                    list.Add(at);
                    plan.Operations.Add(NewOperation(prng, plan.Operations.Count, vm, caller, script, at));
                }
            }
        }

        private static RunCommandOperation NewOperation(Prng prng, int index, Machine vm, Principal caller, ScriptBody script, DateTime at)
        {
            double r = prng.NextDouble();
            var outcome = r < 0.92 ? RunCommandOutcome.Succeeded : r < 0.97 ? RunCommandOutcome.FailedAfterScript : RunCommandOutcome.FailedBeforeScript;
            var vocabulary = prng.Chance(0.65) ? StatusVocabulary.Modern : StatusVocabulary.Legacy;
            var op = new RunCommandOperation
            {
                Index = index,
                Scenario = script.TemplateName == "one-off" ? "unique-script" : "common-script",
                Machine = vm,
                Caller = caller,
                CallerIpAddress = prng.Pick(caller.IpAddresses),
                Script = script,
                Outcome = outcome,
                Vocabulary = vocabulary,
                UpperCaseOperationName = vocabulary == StatusVocabulary.Modern && prng.Chance(0.8),
                ScopeResourceGroup = prng.Chance(0.1) ? vm.ResourceGroup.ToLowerInvariant() : vm.ResourceGroup,
                CorrelationId = prng.GuidText(),
                OperationId = prng.GuidText(),
                ClientRequestId = prng.GuidText(),
            };
            if (outcome == RunCommandOutcome.FailedBeforeScript)
            {
                op.ErrorCode = prng.Chance(0.5) ? "OperationNotAllowed" : "Conflict";
                op.ErrorMessage = op.ErrorCode == "Conflict"
                    ? "Run command extension execution is in progress. Please wait for completion before invoking a run command."
                    : $"Operation 'runCommand' is not allowed on VM '{vm.VmName}' since the VM is deallocated or marked to be deallocated.";
            }
            else if (outcome == RunCommandOutcome.FailedAfterScript)
            {
                op.ErrorCode = "VMExtensionProvisioningError";
                op.ErrorMessage = "VM has reported a failure when processing extension 'RunCommandWindows'. Error message: \"Script execution failed with exit code 1.\"";
            }
            op.Schedule(at, prng);
            return op;
        }
    }
}
