using System;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>The bundled sample: a small, hand-written story in which every scenario the hunt must handle
    /// appears at least once (samples/README.md names the rows).</summary>
    internal static class SamplePlan
    {
        public static readonly DateTime Day = new DateTime(2025, 6, 2, 0, 0, 0, DateTimeKind.Utc);

        private static DateTime At(int h, int m, int s) => Day.AddHours(h).AddMinutes(m).AddSeconds(s);

        public static EvidencePlan Build(Prng prng)
        {
            var plan = new EvidencePlan { Mode = "sample", WindowStart = At(7, 30, 0), Window = TimeSpan.FromHours(7) };
            var fleet = plan.Fleet;
            fleet.WorkspaceId = prng.GuidText();
            fleet.AadTenantId = prng.GuidText();
            fleet.PolicyCaller = prng.GuidText();
            var prod = new AzureSubscription(prng.GuidText());
            var data = new AzureSubscription(prng.GuidText());
            fleet.Subscriptions.Add(prod);
            fleet.Subscriptions.Add(data);

            // ARM name vs MDE DeviceName: exact, FQDN, case + FQDN, case only, upper-case FQDN.
            var web01 = fleet.AddVm(prng, prod, "rg-web-prod", "web-01", "web-01", "web");
            var web02 = fleet.AddVm(prng, prod, "rg-web-prod", "web-02", "web-02.contoso.local", "web");
            var vm01 = fleet.AddVm(prng, prod, "RG-LEGACY", "VM01", "vm01.contoso.local", "app");
            var sql = fleet.AddVm(prng, data, "rg-data-prod", "SQL-PROD-01", "sql-prod-01", "sql");
            var jump = fleet.AddVm(prng, data, "rg-mgmt", "jump-01", "JUMP-01.corp.contoso.com", "jump");
            jump.DoubleSpacedCommandLine = true; // the rarer "powershell  -ExecutionPolicy" spacing
            fleet.AddWorkstation(prng, "desktop-4kq9t2m.contoso.local", "alice");
            fleet.AddWorkstation(prng, "laptop-erin01.contoso.local", "erin");

            var alice = Fleet.User(prng, "alice@contoso.com", "Alice Smith", "203.0.113.24");
            var bob = Fleet.User(prng, "bob@contoso.com", "Bob Jones", "198.51.100.17");
            var carol = Fleet.User(prng, "carol@contoso.com", "Carol White", "192.0.2.66");
            var sp = Fleet.ServicePrincipal(prng, "sp-automation-patching", "198.51.100.200");
            var dave = Fleet.User(prng, "dave@contoso.com", "Dave Brown", "203.0.113.80");
            fleet.Operators.AddRange(new[] { alice, bob, sp, dave });

            var legacy = StatusVocabulary.Legacy;
            var modern = StatusVocabulary.Modern;
            var ok = RunCommandOutcome.Succeeded;

            void Op(string scenario, Machine vm, Principal caller, ScriptBody script, RunCommandOutcome outcome,
                StatusVocabulary vocabulary, bool upperCase, DateTime start, string? scopeResourceGroup = null)
            {
                var op = new RunCommandOperation
                {
                    Index = plan.Operations.Count,
                    Scenario = scenario,
                    Machine = vm,
                    Caller = caller,
                    CallerIpAddress = caller.IpAddresses[0],
                    Script = script,
                    Outcome = outcome,
                    Vocabulary = vocabulary,
                    UpperCaseOperationName = upperCase,
                    ScopeResourceGroup = scopeResourceGroup ?? vm.ResourceGroup,
                    CorrelationId = prng.GuidText(),
                    OperationId = prng.GuidText(),
                    ClientRequestId = prng.GuidText(),
                };
                if (outcome == RunCommandOutcome.FailedBeforeScript)
                {
                    op.ErrorCode = "OperationNotAllowed";
                    op.ErrorMessage = $"Operation 'runCommand' is not allowed on VM '{vm.VmName}' since the VM is deallocated or marked to be deallocated.";
                }
                else if (outcome == RunCommandOutcome.FailedAfterScript)
                {
                    op.ErrorCode = "VMExtensionProvisioningError";
                    op.ErrorMessage = "VM has reported a failure when processing extension 'RunCommandWindows'. Error message: \"Script execution failed with exit code 1.\"";
                }
                // Sub-second jitter: real events never land on whole seconds.
                op.Schedule(start.AddTicks(prng.Seconds(0, 0.999)), prng);
                plan.Operations.Add(op);
            }

            var inventory10 = ScriptCatalog.Inventory.Body(0);
            var inventory100 = ScriptCatalog.Inventory.Body(1);
            var disk = ScriptCatalog.DiskCheck.Body(0);
            var patch = ScriptCatalog.PatchStatus.Body(0);

            Op("common-script; DeviceName equals the VM name; legacy vocabulary", web01, alice, inventory10, ok, legacy, false, At(8, 2, 10));
            Op("common-script; DeviceName is an FQDN", web02, alice, inventory10, ok, legacy, false, At(8, 5, 40));
            Op("common-script; service principal caller; modern vocabulary; upper-case operation; DeviceName differs in case and is an FQDN; scope resource group typed in lower case; larger file, same commands",
                vm01, sp, inventory100, ok, modern, true, At(8, 9, 5), scopeResourceGroup: "rg-legacy");
            Op("common-script; modern vocabulary with mixed-case operation; DeviceName differs in case", sql, bob, disk, ok, modern, false, At(9, 14, 30));
            Op("common-script; second script on web-01", web01, bob, disk, ok, legacy, false, At(9, 20, 0));
            Op("common-script; DeviceName upper-case FQDN; two spaces after 'powershell' in the command line", jump, alice, inventory10, ok, modern, true, At(9, 31, 45));
            Op("failed-before-script: rejected because the VM is deallocated; nothing written", web02, bob, patch, RunCommandOutcome.FailedBeforeScript, legacy, false, At(10, 2, 0));
            Op("common-script; service principal; script2.ps1 on web-02 because the rejected call wrote nothing", web02, sp, patch, ok, modern, true, At(10, 12, 30));
            Op("failed-after-script: script written and partly run, operation Failed", sql, sp, disk, RunCommandOutcome.FailedAfterScript, modern, true, At(10, 40, 0));
            Op("common-script; legacy vocabulary; third disk-check", jump, bob, disk, ok, legacy, false, At(11, 5, 0));
            Op("common-script; service principal", web01, sp, patch, ok, modern, true, At(11, 30, 0));
            Op("unique-script: download, Defender exclusion, local admin account; compromised user from a new address",
                vm01, carol, ScriptCatalog.Backdoor(), ok, modern, true, At(13, 47, 20));

            void Pin(DateTime at, string description, Action<Timeline, NoiseEmitter, DateTime> emit)
            {
                var jittered = at.AddTicks(prng.Seconds(0, 0.999));
                plan.Pinned.Add((jittered, description, (t, n) => emit(t, n, jittered)));
            }

            Pin(At(8, 2, 20), "web-01: an admin's interactive PowerShell (no -File) inside the first Run Command's window",
                (t, n, at) => n.PowerShellSession(t, web01, at, PowerShellSessionKind.Interactive));
            Pin(At(9, 15, 0), "sql-prod-01: a scheduled task's PowerShell with -File \"C:\\...\\Invoke-IndexMaintenance.ps1\" inside a Run Command's window",
                (t, n, at) => n.PowerShellSession(t, sql, at, PowerShellSessionKind.ScheduledScript));
            Pin(At(9, 40, 0), "web-02.contoso.local: 'powershell -ExecutionPolicy Unrestricted -file scriptNNN.ps1' (lower-case -file) outside Run Command",
                (t, n, at) => n.PowerShellSession(t, web02, at, PowerShellSessionKind.LowerCaseFileSwitch));
            Pin(At(10, 4, 10), "AzureActivity: bob starts web-02 after the rejected Run Command",
                (t, n, at) => n.StartVm(t, at, web02, bob));
            Pin(At(12, 0, 0), "JUMP-01: an agent's PowerShell -Command one-liner",
                (t, n, at) => n.PowerShellSession(t, jump, at, PowerShellSessionKind.AgentCommand));
            Pin(At(13, 47, 40), "vm01: powershell.exe writes a __PSScriptPolicyTest_*.ps1 file in C:\\Windows\\Temp inside the unique script's window",
                (t, n, at) => n.PolicyTestFile(t, vm01, at));

            plan.ActivityNoise = 10;
            plan.FileNoise = 22;
            plan.EventNoise = 36;
            plan.Finish();
            return plan;
        }
    }
}
