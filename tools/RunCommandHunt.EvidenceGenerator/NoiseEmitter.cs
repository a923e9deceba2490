using System;
using System.Collections.Generic;
using System.Globalization;

namespace RunCommandHunt.EvidenceGenerator
{
    internal enum PowerShellSessionKind
    {
        /// <summary>An admin typing at a console: no -File.</summary>
        Interactive,
        /// <summary>A scheduled script run with -File and a full, quoted path: passes has "-File", extract gives "".</summary>
        ScheduledScript,
        /// <summary>An agent's one-liner with -Command.</summary>
        AgentCommand,
        /// <summary>A lower-case "-file scriptNNN.ps1" run outside Run Command: has "-File" matches, the case-sensitive extract does not.</summary>
        LowerCaseFileSwitch,
    }

    /// <summary>The unrelated activity that surrounds Run Command in every table, including near misses
    /// that resemble it in one column or another.</summary>
    internal sealed class NoiseEmitter
    {
        private readonly RowFactory _rows;
        private readonly Prng _prng;
        private readonly Fleet _fleet;

        public NoiseEmitter(RowFactory rows, Prng prng)
        {
            _rows = rows; _prng = prng; _fleet = rows.Fleet;
        }

        // ---------------------------------------------------------------- AzureActivity

        private sealed class ActivityKind
        {
            public ActivityKind(string op, string localized, string target, int events)
            {
                Operation = op; Localized = localized; Target = target; Events = events;
            }
            public string Operation { get; }
            public string Localized { get; }
            public string Target { get; }
            public int Events { get; }
        }

        private static readonly (ActivityKind Item, double Weight)[] ActivityKinds =
        {
            (new ActivityKind("Microsoft.Compute/virtualMachines/write", "Create or Update Virtual Machine", "vm", 3), 10),
            (new ActivityKind("Microsoft.Compute/virtualMachines/start/action", "Start Virtual Machine", "vm", 3), 8),
            (new ActivityKind("Microsoft.Compute/virtualMachines/restart/action", "Restart Virtual Machine", "vm", 3), 5),
            (new ActivityKind("Microsoft.Compute/virtualMachines/deallocate/action", "Deallocate Virtual Machine", "vm", 3), 6),
            (new ActivityKind("Microsoft.Compute/virtualMachines/extensions/write", "Create or Update Virtual Machine Extension", "vmext", 3), 6),
            (new ActivityKind("Microsoft.Compute/disks/write", "Create or Update Disk", "disk", 2), 5),
            (new ActivityKind("Microsoft.Compute/snapshots/write", "Create or Update Snapshot", "snapshot", 3), 3),
            (new ActivityKind("Microsoft.Network/networkSecurityGroups/securityRules/write", "Create or Update Security Rule", "nsgrule", 2), 6),
            (new ActivityKind("Microsoft.Network/networkInterfaces/write", "Create or Update Network Interface", "nic", 2), 4),
            (new ActivityKind("Microsoft.Storage/storageAccounts/listKeys/action", "List Storage Account Keys", "storage", 2), 12),
            (new ActivityKind("Microsoft.KeyVault/vaults/write", "Update Key Vault", "vault", 2), 3),
            (new ActivityKind("Microsoft.Authorization/roleAssignments/write", "Create role assignment", "role", 2), 2),
            (new ActivityKind("Microsoft.Resources/deployments/write", "Create Deployment", "deployment", 3), 8),
            (new ActivityKind("Microsoft.Insights/diagnosticSettings/write", "Create or update resource diagnostic setting", "diag", 2), 2),
            (new ActivityKind("Microsoft.Authorization/policies/audit/action", "'audit' Policy action.", "policy", 1), 14),
        };

        /// <summary>Average rows of one Activity() call, for sizing.</summary>
        public static double ActivityRowsPerCall
        {
            get
            {
                double w = 0, rows = 0;
                foreach (var (k, weight) in ActivityKinds) { w += weight; rows += weight * k.Events; }
                return rows / w;
            }
        }

        public void Activity(Timeline timeline, DateTime at)
        {
            var kind = _prng.PickWeighted(ActivityKinds);
            var vm = _prng.Pick(_fleet.Vms);
            Activity(timeline, at, kind, vm, _prng.Pick(_fleet.Operators));
        }

        /// <summary>A VM start by a given caller, for the bundled sample's story.</summary>
        public void StartVm(Timeline timeline, DateTime at, Machine vm, Principal caller) =>
            Activity(timeline, at, ActivityKinds[1].Item, vm, caller);

        private void Activity(Timeline timeline, DateTime at, ActivityKind kind, Machine vm, Principal caller)
        {
            var sub = vm.Subscription!;
            string rgPath = $"/subscriptions/{sub.Id}/resourceGroups/{vm.ResourceGroup}/providers/";
            string resourceId = kind.Target switch
            {
                "vm" => vm.ResourceId,
                "vmext" => vm.ResourceId + "/extensions/" + _prng.Pick(new[] { "AzureMonitorWindowsAgent", "MDE.Windows", "AzurePolicyforWindows", "CustomScriptExtension" }),
                "disk" => rgPath + $"Microsoft.Compute/disks/{vm.VmName}_OsDisk_1_{_prng.Hex(16)}",
                "snapshot" => rgPath + $"Microsoft.Compute/snapshots/snap-{vm.VmName.ToLowerInvariant()}-{at:yyyyMMdd}",
                "nsgrule" => rgPath + $"Microsoft.Network/networkSecurityGroups/nsg-{vm.ResourceGroup.ToLowerInvariant()}/securityRules/" + _prng.Pick(new[] { "Allow-RDP-From-Bastion", "Allow-HTTPS-Inbound", "Deny-All-Inbound", "Allow-WinRM-Mgmt" }),
                "nic" => rgPath + $"Microsoft.Network/networkInterfaces/{vm.VmName.ToLowerInvariant()}-nic01",
                "storage" => rgPath + "Microsoft.Storage/storageAccounts/stcontoso" + sub.Id.Substring(0, 6),
                "vault" => rgPath + "Microsoft.KeyVault/vaults/kv-contoso-" + sub.Id.Substring(0, 4),
                "role" => $"/subscriptions/{sub.Id}/providers/Microsoft.Authorization/roleAssignments/{_prng.GuidText()}",
                "deployment" => rgPath + "Microsoft.Resources/deployments/" + _prng.Pick(new[] { "Microsoft.Template-", "vm-baseline-", "nsg-update-" }) + at.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture),
                "diag" => vm.ResourceId + "/providers/microsoft.insights/diagnosticSettings/send-to-law",
                _ => vm.ResourceId,
            };
            bool policy = kind.Target == "policy";
            bool modern = _prng.Chance(0.65);
            bool failed = !policy && _prng.Chance(0.03);
            string callerText = policy ? _fleet.PolicyCaller : caller.Caller;
            string ip = policy ? "" : _prng.Pick(caller.IpAddresses);
            string correlation = _prng.GuidText(), operationId = _prng.GuidText(), clientRequest = _prng.GuidText();
            string opValue = modern && _prng.Chance(0.8) ? kind.Operation.ToUpperInvariant() : kind.Operation;
            string authorization = policy
                ? new JsonObject().Add("action", "Microsoft.Compute/virtualMachines/write").Add("scope", resourceId).ToString()
                : new JsonObject().Add("action", kind.Operation).Add("scope", resourceId).AddRaw("evidence", new JsonObject()
                    .Add("role", caller.RoleName).Add("roleAssignmentScope", "/subscriptions/" + sub.Id)
                    .Add("roleAssignmentId", caller.RoleAssignmentId).Add("roleDefinitionId", caller.RoleDefinitionId)
                    .Add("principalId", caller.ObjectId.Replace("-", ""))
                    .Add("principalType", caller.IsServicePrincipal ? "ServicePrincipal" : "User").ToString()).ToString();
            string claims = policy ? "{}" : _rows.Claims(caller, ip, at);
            string category = policy ? "Policy" : "Administrative";
            string provider = resourceId.Contains("/providers/Microsoft.Network/", StringComparison.Ordinal) ? "Microsoft.Network"
                : resourceId.Contains("/providers/Microsoft.Storage/", StringComparison.Ordinal) ? "Microsoft.Storage"
                : resourceId.Contains("/providers/Microsoft.KeyVault/", StringComparison.Ordinal) ? "Microsoft.KeyVault"
                : resourceId.Contains("/providers/Microsoft.Resources/", StringComparison.Ordinal) ? "Microsoft.Resources"
                : kind.Target == "role" ? "Microsoft.Authorization" : "Microsoft.Compute";

            string[] statuses = kind.Events switch
            {
                1 => new[] { modern ? "Success" : "Succeeded" },
                2 => new[] { modern ? "Start" : "Started", failed ? (modern ? "Failure" : "Failed") : (modern ? "Success" : "Succeeded") },
                _ => new[] { modern ? "Start" : "Started", modern ? "Accept" : "Accepted", failed ? (modern ? "Failure" : "Failed") : (modern ? "Success" : "Succeeded") },
            };
            var t = at;
            for (int i = 0; i < statuses.Length; i++)
            {
                if (i == 1) t = t.AddTicks(statuses.Length == 3 ? _prng.Seconds(0.2, 1.5) : _prng.Seconds(0.5, 30));
                if (i == 2) t = t.AddTicks(_prng.Seconds(2, 90));
                bool last = i == statuses.Length - 1 && statuses.Length > 1;
                string? statusCode = policy ? null : i == 0 && statuses.Length > 1 ? null : last && failed ? "Conflict" : i == 1 && statuses.Length == 3 ? "Accepted" : "OK";
                string properties = policy
                    ? new JsonObject().Add("isComplianceCheck", "False").Add("resourceLocation", "westeurope")
                        .Add("ancestors", $"{_fleet.ManagementGroup},{_fleet.AadTenantId}")
                        .Add("policies", "[{\"policyDefinitionName\":\"audit-vm-managed-disks\",\"policyEffect\":\"audit\"}]")
                        .Add("eventCategory", "Policy").Add("entity", resourceId).Add("message", kind.Operation)
                        .Add("hierarchy", $"{_fleet.AadTenantId}/{_fleet.ManagementGroup}/{sub.Id}").ToString()
                    : _rows.Properties(category, resourceId, opValue, sub.Id, statusCode, withServiceRequestId: statusCode == "Accepted");
                bool request = !last || statuses.Length == 1;
                timeline.Emit(timeline.AzureActivity, _rows.ActivityEvent(t, modern, opValue, kind.Localized, statuses[i],
                    statusCode ?? "", correlation, operationId, authorization, claims, callerText,
                    request ? ip : "", request && !policy ? RowFactory.HttpRequest(clientRequest, ip, kind.Operation.EndsWith("/action", StringComparison.Ordinal) ? "POST" : "PUT") : "",
                    resourceId, sub.Id, vm.ResourceGroup, provider, category, policy ? "Warning" : failed && last ? "Error" : "Informational", properties));
            }
        }

        // ---------------------------------------------------------------- DeviceFileEvents

        private Machine PickDevice(double vmShare)
        {
            if (_fleet.Workstations.Count == 0 || _prng.Chance(vmShare)) return _prng.Pick(_fleet.Vms);
            return _prng.Pick(_fleet.Workstations);
        }

        public void FileEvent(Timeline timeline, DateTime at)
        {
            var m = PickDevice(0.75);
            int kind = m.Role == "workstation"
                ? _prng.PickWeighted(new[] { (10, 10.0), (11, 10.0), (12, 8.0), (13, 5.0), (14, 4.0), (0, 8.0), (1, 5.0), (7, 2.0) })
                : _prng.PickWeighted(new[] { (0, 14.0), (1, 8.0), (2, 12.0), (3, 6.0), (4, 6.0), (5, 12.0), (6, 2.0), (7, 3.0) });
            Row row;
            switch (kind)
            {
                case 0:
                    row = FileRow(m, at, "svchost.exe", _prng.Chance(0.5) ? "FileModified" : "FileCreated",
                        _prng.Pick(new[]
                        {
                            @"C:\Windows\System32\LogFiles\WMI\RtBackup\EtwRTEventLog-System.etl",
                            @"C:\Windows\ServiceProfiles\NetworkService\AppData\Local\Microsoft\Windows\DeliveryOptimization\Logs\dosvc." + at.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture) + "_" + _prng.Next(100, 999) + ".etl",
                            @"C:\Windows\System32\sru\SRUDB.dat",
                            @"C:\ProgramData\Microsoft\Windows\WER\Temp\WER" + _prng.Hex(4).ToUpperInvariant() + ".tmp.xml",
                            @"C:\Windows\System32\config\systemprofile\AppData\Local\Microsoft\Windows\INetCache\IE\" + _prng.Hex(4).ToUpperInvariant() + @"\wsus" + _prng.Hex(3) + ".cab",
                        }), _prng.Next(4_000, 8_000_000));
                    break;
                case 1:
                    row = FileRow(m, at, "MsMpEng.exe", _prng.Chance(0.7) ? "FileCreated" : "FileDeleted",
                        $@"C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{{{_prng.NextGuid().ToString().ToUpperInvariant()}}}\" + _prng.Pick(new[] { "mpasdlta.vdm", "mpavdlta.vdm", "mpengine.dll" }),
                        _prng.Next(50_000, 20_000_000));
                    break;
                case 2:
                    row = FileRow(m, at, m.IsAzureVm ? "WindowsAzureGuestAgent.exe" : "svchost.exe", "FileModified",
                        _prng.Pick(new[]
                        {
                            @"C:\WindowsAzure\Logs\WaAppAgent.log",
                            @"C:\WindowsAzure\Logs\TransparentInstaller.log",
                            @"C:\WindowsAzure\Logs\AggregateStatus\aggregatestatus.json",
                            @"C:\Packages\Plugins\Microsoft.Azure.Monitor.AzureMonitorWindowsAgent\1.26.0.0\Status\HeartBeat.Json",
                        }), _prng.Next(1_000, 5_000_000));
                    break;
                case 3:
                    row = FileRow(m, at, "TiWorker.exe", _prng.Chance(0.5) ? "FileModified" : "FileCreated",
                        _prng.Chance(0.5) ? @"C:\Windows\Logs\CBS\CBS.log"
                            : $@"C:\Windows\WinSxS\Temp\InFlight\{_prng.Hex(8)}\amd64_microsoft-windows-{_prng.Pick(new[] { "kernel32", "ntdll", "win32k" })}_31bf3856ad364e35_10.0.20348.{_prng.Next(2000, 3000)}_none_{_prng.Hex(8)}\f\{_prng.Pick(new[] { "kernel32.dll", "ntdll.dll", "win32kfull.sys" })}",
                        _prng.Next(100_000, 9_000_000));
                    break;
                case 4:
                    row = FileRow(m, at, "MsSense.exe", "FileCreated",
                        $@"C:\ProgramData\Microsoft\Windows Defender Advanced Threat Protection\DataCollection\{_prng.Next(8000, 9999)}.{_prng.Hex(8)}.{_prng.Hex(4)}.bin",
                        _prng.Next(1_000, 900_000));
                    break;
                case 5:
                    row = RoleFile(m, at);
                    break;
                case 6:
                    row = FileRow(m, at, "System", "FileCreated", $@"D:\Shares\Finance\Reports\{at:yyyy-MM}\report-{_prng.Next(100, 999)}.xlsx", _prng.Next(20_000, 2_000_000));
                    row.Set("RequestProtocol", "SMB").Set("RequestSourceIP", "10.1." + _prng.Next(0, 255) + "." + _prng.Next(4, 250))
                       .Set("RequestSourcePort", (long)_prng.Next(49152, 65535)).Set("RequestAccountName", _prng.Pick(new[] { "alice", "bob", "erin" }))
                       .Set("RequestAccountDomain", "CONTOSO").Set("RequestAccountSid", "S-1-5-21-1004336348-1177238915-682003330-" + _prng.Next(1100, 4000))
                       .Set("ShareName", "Finance");
                    break;
                case 7:
                    PolicyTestFile(timeline, m, at);
                    return;
                case 10:
                    row = FileRow(m, at, "chrome.exe", "FileCreated", $@"C:\Users\{m.InteractiveUser}\Downloads\{_prng.Pick(new[] { "invoice", "quote", "setup", "notes", "agenda" })}_{_prng.Next(1, 999)}.{_prng.Pick(new[] { "pdf", "zip", "msi", "docx" })}", _prng.Next(10_000, 90_000_000));
                    row.Set("FileOriginUrl", $"https://{_prng.Pick(new[] { "download.example.com", "files.example.org", "cdn.example.net" })}/f/{_prng.Hex(6)}")
                       .Set("FileOriginIP", Fleet.DocumentationIp(_prng))
                       .Set("FileOriginReferrerUrl", "https://www.example.com/");
                    break;
                case 11:
                    row = FileRow(m, at, "msedge.exe", "FileModified", $@"C:\Users\{m.InteractiveUser}\AppData\Local\Microsoft\Edge\User Data\Default\Cache\Cache_Data\f_{_prng.Hex(3)}", _prng.Next(1_000, 500_000));
                    break;
                case 12:
                    row = FileRow(m, at, "OneDrive.exe", _prng.Chance(0.6) ? "FileModified" : "FileCreated", $@"C:\Users\{m.InteractiveUser}\OneDrive - Contoso\Documents\{_prng.Pick(new[] { "Budget", "Roadmap", "Minutes", "Runbook" })}-{_prng.Next(1, 40)}.{_prng.Pick(new[] { "xlsx", "docx", "pptx" })}", _prng.Next(20_000, 5_000_000));
                    break;
                case 13:
                    string oldName = $"New Text Document ({_prng.Next(1, 9)}).txt";
                    row = FileRow(m, at, "explorer.exe", "FileRenamed", $@"C:\Users\{m.InteractiveUser}\Desktop\todo-{_prng.Next(1, 99)}.txt", _prng.Next(0, 4_000));
                    row.Set("PreviousFileName", oldName).Set("PreviousFolderPath", $@"C:\Users\{m.InteractiveUser}\Desktop\{oldName}");
                    break;
                default:
                    row = FileRow(m, at, "Teams.exe", "FileModified", $@"C:\Users\{m.InteractiveUser}\AppData\Local\Packages\MSTeams_8wekyb3d8bbwe\LocalCache\Microsoft\MSTeams\Logs\MSTeams_{at:yyyy-MM-dd_HH}.log", _prng.Next(10_000, 3_000_000));
                    break;
            }
            timeline.Emit(timeline.DeviceFileEvents, row);
        }

        private Row RoleFile(Machine m, DateTime at)
        {
            switch (m.Role)
            {
                case "sql":
                    return FileRow(m, at, "sqlservr.exe", "FileModified", _prng.Pick(new[]
                    {
                        @"D:\MSSQL\DATA\tempdb.mdf", @"D:\MSSQL\DATA\templog.ldf",
                        @"C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Log\ERRORLOG",
                        $@"E:\Backup\Sales_{at:yyyyMMdd}_{_prng.Next(0, 24):00}00.trn",
                    }), _prng.Next(1_000_000, 900_000_000));
                case "web":
                    return FileRow(m, at, "w3wp.exe", "FileModified", $@"C:\inetpub\logs\LogFiles\W3SVC1\u_ex{at:yyMMdd}.log", _prng.Next(10_000, 80_000_000));
                default:
                    return FileRow(m, at, m.IsAzureVm ? "MonAgentCore.exe" : "svchost.exe", "FileModified",
                        $@"C:\WindowsAzure\Resources\AMADataStore.{m.DeviceName.Split('.')[0]}\Tables\{_prng.Hex(8)}.tsf", _prng.Next(100_000, 60_000_000));
            }
        }

        private Row FileRow(Machine m, DateTime at, string image, string action, string path, long size)
        {
            var row = _rows.File(m, at)
                .Set("ActionType", action)
                .Set("FileName", path.Substring(path.LastIndexOf('\\') + 1))
                .Set("FolderPath", path)
                .Set("FileSize", action == "FileDeleted" ? (long?)null : size);
            // MDE hashes created files; modified logs usually come without one.
            if (action == "FileCreated" || action == "FileRenamed")
            {
                row.Set("SHA256", _prng.Hex(32)).Set("SHA1", _prng.Hex(20)).Set("MD5", _prng.Hex(16));
            }
            if (image == "System")
            {
                row.Set("InitiatingProcessFileName", "System").Set("InitiatingProcessId", 4L)
                   .Set("InitiatingProcessAccountName", "system").Set("InitiatingProcessAccountDomain", "nt authority")
                   .Set("InitiatingProcessAccountSid", "S-1-5-18").Set("InitiatingProcessIntegrityLevel", "System");
            }
            else
            {
                m.Process(image, _prng).Apply(row);
            }
            return row;
        }

        /// <summary>PowerShell's execution-policy probe: a .ps1 written to Temp by powershell.exe on every start.</summary>
        public void PolicyTestFile(Timeline timeline, Machine m, DateTime at)
        {
            string folder = m.Role == "workstation" ? $@"C:\Users\{m.InteractiveUser}\AppData\Local\Temp\" : @"C:\Windows\Temp\";
            string name = $"__PSScriptPolicyTest_{_prng.Hex(4).Substring(0, 8)}.{_prng.Hex(2).Substring(0, 3)}.ps1";
            var row = FileRow(m, at, "powershell.exe", "FileCreated", folder + name, 1);
            timeline.Emit(timeline.DeviceFileEvents, row);
        }

        // ---------------------------------------------------------------- DeviceEvents

        private static readonly string[] InteractiveCmdlets =
        {
            "Get-Service", "Get-Process", "Get-ChildItem", "Get-EventLog", "Test-NetConnection", "Get-NetTCPConnection", "Get-Content",
            "Select-String", "Set-Location", "Get-Command", "Format-Table", "Where-Object", "Select-Object", "Get-ItemProperty",
            "Get-Date", "Out-String", "Get-ComputerInfo", "Get-WindowsFeature", "Get-Help", "Sort-Object",
        };

        private static readonly (string Path, string[] Commands)[] ScheduledScripts =
        {
            (@"C:\ProgramData\Scripts\Collect-Inventory.ps1", new[] { "Get-CimInstance", "Select-Object", "ConvertTo-Json", "Out-File" }),
            (@"C:\Scripts\Rotate-Logs.ps1", new[] { "Get-ChildItem", "Where-Object", "Compress-Archive", "Remove-Item" }),
            (@"C:\Program Files\Contoso\Agent\healthcheck.ps1", new[] { "Get-Service", "Test-Path", "Write-EventLog" }),
            (@"C:\ProgramData\SqlMaint\Invoke-IndexMaintenance.ps1", new[] { "Import-Module", "Invoke-Sqlcmd", "Write-Output" }),
        };

        /// <summary>Average rows of one DeviceEvent() call, for sizing (sessions are several rows).</summary>
        public const double EventRowsPerCall = 1.61;

        public void DeviceEvent(Timeline timeline, DateTime at)
        {
            var m = PickDevice(0.7);
            bool ws = m.Role == "workstation";
            int kind = _prng.PickWeighted(new[]
            {
                (0, 22.0), (1, 6.0), (2, 5.0), (3, 2.0), (4, 14.0), (5, 10.0), (6, 3.0), (7, 4.0), (8, 12.0), (9, 8.0),
                (10, 2.0), (11, 4.0), (12, 3.0), (13, ws ? 2.0 : 0.0), (14, ws ? 3.0 : 0.0), (15, ws ? 3.0 : 0.0),
            });
            if (kind == 0)
            {
                var session = _prng.PickWeighted(new[]
                {
                    (PowerShellSessionKind.Interactive, 35.0), (PowerShellSessionKind.ScheduledScript, 40.0),
                    (PowerShellSessionKind.AgentCommand, 22.0), (PowerShellSessionKind.LowerCaseFileSwitch, ws ? 0.0 : 3.0),
                });
                PowerShellSession(timeline, m, at, session);
                return;
            }
            var row = _rows.Event(m, at);
            switch (kind)
            {
                case 1:
                    m.Process("WmiPrvSE.exe", _prng).Apply(row);
                    row.Set("ActionType", "ProcessCreatedUsingWmiQuery").Set("FileName", "cmd.exe").Set("FolderPath", @"C:\Windows\System32\cmd.exe")
                       .Set("ProcessId", _prng.ProcessId()).Set("ProcessCommandLine", "cmd.exe /c ipconfig /all > C:\\Windows\\Temp\\net.txt")
                       .Set("ProcessCreationTime", at).Set("AdditionalFields", new JsonObject().Add("Namespace", "root\\cimv2").Add("ClassName", "Win32_Process").ToString());
                    break;
                case 2:
                    m.Process("svchost.exe", _prng).Apply(row);
                    row.Set("ActionType", "ScheduledTaskUpdated").Set("AdditionalFields", new JsonObject()
                        .Add("TaskName", _prng.Pick(new[] { @"\Microsoft\Windows\UpdateOrchestrator\Schedule Scan", @"\Microsoft\Windows\Defrag\ScheduledDefrag", @"\GoogleUpdateTaskMachineUA" }))
                        .Add("TaskContent", "<?xml version=\"1.0\" encoding=\"UTF-16\"?><Task version=\"1.6\"><Triggers><TimeTrigger><Repetition><Interval>PT1H</Interval></Repetition></TimeTrigger></Triggers></Task>").ToString());
                    break;
                case 3:
                    m.Process("services.exe", _prng).Apply(row);
                    string svc = _prng.Pick(new[] { "MDCoreSvc", "AzureMonitorAgent", "edgeupdate", "WinDefend" });
                    row.Set("ActionType", "ServiceInstalled").Set("FileName", svc.ToLowerInvariant() + ".exe")
                       .Set("FolderPath", $@"C:\Program Files\{svc}\{svc.ToLowerInvariant()}.exe")
                       .Set("AdditionalFields", new JsonObject().Add("ServiceName", svc).Add("ServiceAccount", "LocalSystem").Add("ServiceStartType", 2).Add("ServiceType", 16).ToString());
                    break;
                case 4:
                    var client = m.Process(_prng.Pick(new[] { "svchost.exe", "MsSense.exe", ws ? "explorer.exe" : "WindowsAzureGuestAgent.exe" }), _prng);
                    client.Apply(row);
                    row.Set("ActionType", "NamedPipeEvent").Set("FileName", _prng.Pick(new[] { "lsarpc", "srvsvc", "wkssvc", "samr", "spoolss" }))
                       .Set("AdditionalFields", new JsonObject().Add("DesiredAccess", 1180063).Add("FileOperation", "File opened")
                           .Add("NamedPipeEnd", "Client").Add("PipeName", @"\Device\NamedPipe\" + row.GetString("FileName")).Add("ShareMode", 3).Add("ThreadId", _prng.Next(1000, 20000)).ToString());
                    break;
                case 5:
                    m.Process(_prng.Pick(new[] { "MsSense.exe", "MsMpEng.exe", "svchost.exe" }), _prng).Apply(row);
                    row.Set("ActionType", "OpenProcessApiCall").Set("FileName", _prng.Pick(new[] { "lsass.exe", "svchost.exe", "explorer.exe" }))
                       .Set("ProcessId", _prng.ProcessId()).Set("AdditionalFields", new JsonObject().Add("DesiredAccess", _prng.Pick(new[] { 4096L, 4112L, 1040L })).ToString());
                    break;
                case 6:
                    m.Process("MsMpEng.exe", _prng).Apply(row);
                    row.Set("ActionType", "CreateRemoteThreadApiCall").Set("FileName", "svchost.exe").Set("FolderPath", @"C:\Windows\System32\svchost.exe").Set("ProcessId", _prng.ProcessId());
                    break;
                case 7:
                    m.Process("MsSense.exe", _prng).Apply(row);
                    row.Set("ActionType", "ReadProcessMemoryApiCall").Set("FileName", "lsass.exe").Set("FolderPath", @"C:\Windows\System32\lsass.exe")
                       .Set("ProcessId", _prng.ProcessId()).Set("AdditionalFields", new JsonObject().Add("TotalBytesCopied", _prng.Next(64, 65536)).ToString());
                    break;
                case 8:
                    string host = _prng.Pick(new[] { "login.microsoftonline.com", "management.azure.com", "settings-win.data.microsoft.com", "wdcp.microsoft.com", "ctldl.windowsupdate.com", "contoso.local" });
                    m.Process(ws ? _prng.Pick(new[] { "chrome.exe", "msedge.exe", "svchost.exe" }) : _prng.Pick(new[] { "svchost.exe", "WindowsAzureGuestAgent.exe", "MsSense.exe" }), _prng).Apply(row);
                    row.Set("ActionType", "DnsQueryResponse").Set("AdditionalFields", new JsonObject().Add("DnsQueryString", host)
                        .AddRaw("DnsQueryResult", "[" + new JsonObject().Add("DnsQueryType", "A").Add("DnsQueryResult", Fleet.DocumentationIp(_prng)) + "]").ToString());
                    break;
                case 9:
                    m.Process("svchost.exe", _prng).Apply(row);
                    row.Set("ActionType", "FirewallInboundConnectionBlocked").Set("RemoteIP", Fleet.DocumentationIp(_prng)).Set("RemotePort", (long)_prng.Next(1024, 65535))
                       .Set("LocalIP", m.LocalIp).Set("LocalPort", (long)_prng.Pick(new[] { 3389, 445, 5985, 22, 1433 }))
                       .Set("AdditionalFields", new JsonObject().Add("Direction", "Inbound").Add("Profile", "Public").ToString());
                    break;
                case 10:
                    m.Process("MsMpEng.exe", _prng).Apply(row);
                    row.Set("ActionType", "AntivirusScanCompleted").Set("AdditionalFields", new JsonObject().Add("ScanTypeIndex", _prng.Pick(new[] { "Quick", "Full" })).Add("DurationInSeconds", _prng.Next(30, 3600)).ToString());
                    break;
                case 11:
                    m.Process(ws ? "explorer.exe" : "svchost.exe", _prng).Apply(row);
                    row.Set("ActionType", "LdapSearch").Set("AdditionalFields", new JsonObject().Add("AttributeList", "[\"objectSid\",\"memberOf\"]")
                        .Add("ScopeOfSearch", "SubTree").Add("SearchFilter", "(&(objectCategory=person)(sAMAccountName=" + _prng.Pick(new[] { "alice", "bob", "erin", "svc_sql" }) + "))")
                        .Add("DistinguishedName", "DC=contoso,DC=local").ToString());
                    break;
                case 12:
                    m.Process("lsass.exe", _prng).Apply(row);
                    row.Set("ActionType", "DpapiAccessed").Set("AdditionalFields", new JsonObject().Add("DataDescription", _prng.Pick(new[] { "Azure AD token", "WinRM credentials", "Chromium key" })).Add("OperationType", "SPCryptUnprotect").ToString());
                    break;
                case 13:
                    m.Process(_prng.Pick(new[] { "explorer.exe", "Teams.exe" }), _prng).Apply(row);
                    row.Set("ActionType", "GetClipboardData");
                    break;
                case 14:
                    m.Process("explorer.exe", _prng).Apply(row);
                    row.Set("ActionType", "ShellLinkCreateFileEvent").Set("FileName", "Recent.lnk")
                       .Set("FolderPath", $@"C:\Users\{m.InteractiveUser}\AppData\Roaming\Microsoft\Windows\Recent\Recent.lnk");
                    break;
                default:
                    m.Process("OneDrive.exe", _prng).Apply(row);
                    row.Set("ActionType", "BrowserLaunchedToOpenUrl").Set("RemoteUrl", "https://contoso.sharepoint.com/sites/it/" + _prng.Hex(4));
                    break;
            }
            timeline.Emit(timeline.DeviceEvents, row);
        }

        /// <summary>A PowerShell process that is not Run Command: one PowerShellCommand row per cmdlet.</summary>
        public void PowerShellSession(Timeline timeline, Machine m, DateTime at, PowerShellSessionKind kind)
        {
            var image = ImageCatalog.Get("powershell.exe");
            bool user = kind == PowerShellSessionKind.Interactive;
            string commandLine;
            var commands = new List<string>();
            string parent;
            switch (kind)
            {
                case PowerShellSessionKind.Interactive:
                    commandLine = "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" ";
                    int n = _prng.Next(2, 6);
                    for (int i = 0; i < n; i++) commands.Add(_prng.Pick(InteractiveCmdlets));
                    parent = "explorer.exe";
                    break;
                case PowerShellSessionKind.ScheduledScript:
                    var script = m.Role == "sql" ? ScheduledScripts[3] : ScheduledScripts[_prng.Next(3)];
                    commandLine = _prng.Chance(0.7)
                        ? $"powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File \"{script.Path}\""
                        : $"powershell.exe -ExecutionPolicy Bypass -File {script.Path}";
                    commands.Add(script.Path.Substring(script.Path.LastIndexOf('\\') + 1));
                    commands.AddRange(script.Commands);
                    parent = "svchost.exe";
                    break;
                case PowerShellSessionKind.AgentCommand:
                    if (_prng.Chance(0.5))
                    {
                        commandLine = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command \"Get-CimInstance -ClassName Win32_OperatingSystem | ConvertTo-Json -Compress\"";
                        commands.AddRange(new[] { "Get-CimInstance", "ConvertTo-Json" });
                    }
                    else
                    {
                        commandLine = "powershell.exe -ExecutionPolicy Unrestricted -NoProfile -Command \"& {Get-WindowsFeature | Where-Object Installed | Select-Object -ExpandProperty Name}\"";
                        commands.AddRange(new[] { "Get-WindowsFeature", "Where-Object", "Select-Object" });
                    }
                    parent = m.IsAzureVm ? "WindowsAzureGuestAgent.exe" : "svchost.exe";
                    break;
                default:
                    // Numbers above any Run Command sequence in the data, so this never shares a name with a real script.
                    string name = "script" + _prng.Next(500, 1000).ToString(CultureInfo.InvariantCulture) + ".ps1";
                    commandLine = "powershell -ExecutionPolicy Unrestricted -file " + name;
                    commands.Add(name);
                    commands.AddRange(new[] { "Get-Service", "Write-Output" });
                    parent = "cmd.exe";
                    break;
            }
            DateTime created = at.AddTicks(-_prng.Seconds(0.2, 3));
            var ps = ProcessInfo.Started(image, _prng.ProcessId(), created, commandLine, parent, _prng.ProcessId(),
                created.AddSeconds(-_prng.Range(1, 600)));
            if (user)
            {
                ps.AccountName = m.InteractiveUser;
                ps.AccountDomain = "contoso";
                ps.AccountSid = "S-1-5-21-1004336348-1177238915-682003330-" + _prng.Next(1100, 4000).ToString(CultureInfo.InvariantCulture);
                ps.AccountUpn = m.InteractiveUser + "@contoso.com";
                ps.IntegrityLevel = "High";
                ps.TokenElevation = "TokenElevationTypeFull";
                ps.LogonId = _prng.Next(100000, 9000000);
            }
            var t = at;
            foreach (var command in commands)
            {
                var row = _rows.Event(m, t)
                    .Set("ActionType", "PowerShellCommand")
                    .Set("AdditionalFields", new JsonObject().Add("Command", command).ToString());
                ps.Apply(row);
                timeline.Emit(timeline.DeviceEvents, row);
                t = t.AddTicks(_prng.Seconds(user ? 2 : 0.05, user ? 40 : 1.5));
            }
        }
    }
}
