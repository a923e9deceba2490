using System;
using System.Collections.Generic;
using System.Globalization;

namespace RunCommandHunt.EvidenceGenerator
{
    internal sealed class AzureSubscription
    {
        public AzureSubscription(string id) { Id = id; }
        public string Id { get; }
    }

    /// <summary>Who calls ARM: a user (Caller = UPN) or a service principal (Caller = object id GUID).</summary>
    internal sealed class Principal
    {
        public string Caller { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public bool IsServicePrincipal { get; set; }
        public string ObjectId { get; set; } = "";
        /// <summary>The client application the token was issued to (Azure CLI, portal, the SP itself).</summary>
        public string AppId { get; set; } = "";
        public string[] IpAddresses { get; set; } = Array.Empty<string>();
        public string RoleName { get; set; } = "Virtual Machine Contributor";
        public string RoleDefinitionId { get; set; } = "9980e02cc2be4d7394e8173b1dc7cf3c";
        public string RoleAssignmentId { get; set; } = "";
    }

    /// <summary>A device MDE reports on. Azure VMs also have an ARM identity; workstations only make noise.</summary>
    internal sealed class Machine
    {
        private readonly Dictionary<string, ProcessInfo> _processes = new Dictionary<string, ProcessInfo>(StringComparer.OrdinalIgnoreCase);

        public string DeviceName { get; set; } = "";
        public string DeviceId { get; set; } = "";
        public bool IsAzureVm { get; set; }
        public AzureSubscription? Subscription { get; set; }
        public string ResourceGroup { get; set; } = "";
        /// <summary>The ARM resource name; differs from DeviceName in case and by the DNS suffix.</summary>
        public string VmName { get; set; } = "";
        public string Role { get; set; } = "app";
        public string ExtensionVersion { get; set; } = "1.1.22";
        /// <summary>Whether this machine's RunCommandExtension leaves two spaces after "powershell".</summary>
        public bool DoubleSpacedCommandLine { get; set; }
        public int FirstScriptSequence { get; set; } = 1;
        public string LocalIp { get; set; } = "";
        public string MachineGroup { get; set; } = "";
        public DateTime BootTime { get; set; }
        /// <summary>A user who logs on interactively (admins on servers, the owner on a workstation).</summary>
        public string InteractiveUser { get; set; } = "";
        private long _reportId;

        public string ResourceId => $"/subscriptions/{Subscription!.Id}/resourceGroups/{ResourceGroup}/providers/Microsoft.Compute/virtualMachines/{VmName}";

        public long NextReportId(Prng prng)
        {
            if (_reportId == 0) _reportId = prng.Next(1000, 60000);
            _reportId += prng.Next(1, 40);
            return _reportId;
        }

        /// <summary>A long-running process of this machine: same pid and start time every time it is asked for.</summary>
        public ProcessInfo Process(string imageName, Prng prng)
        {
            if (_processes.TryGetValue(imageName, out var p)) return p;
            var image = ImageCatalog.Get(imageName);
            bool user = image.RunsAsUser && InteractiveUser.Length > 0;
            p = new ProcessInfo(image)
            {
                Id = prng.ProcessId(),
                CreationTime = BootTime.AddSeconds(prng.Range(20, 3600)),
                AccountName = user ? InteractiveUser : image.AccountName,
                AccountDomain = user ? "contoso" : image.AccountDomain,
                AccountSid = user ? "S-1-5-21-1004336348-1177238915-682003330-" + prng.Next(1100, 4000).ToString(CultureInfo.InvariantCulture) : image.AccountSid,
                AccountUpn = user ? InteractiveUser + "@contoso.com" : "",
                IntegrityLevel = user ? "Medium" : "System",
                TokenElevation = user ? "TokenElevationTypeLimited" : "TokenElevationTypeDefault",
                LogonId = user ? prng.Next(100000, 9000000) : 999,
                CommandLine = image.DefaultCommandLine,
                ParentFileName = image.ParentFileName,
                ParentId = prng.ProcessId(),
                ParentCreationTime = BootTime.AddSeconds(prng.Range(1, 20)),
            };
            _processes.Add(imageName, p);
            return p;
        }
    }

    /// <summary>An executable as MDE shows it: lower-case full path in the *FolderPath columns, hashes, size.</summary>
    internal sealed class ImageInfo
    {
        public ImageInfo(string fileName, string folderPath, string accountName, string accountDomain, string accountSid,
            string parent, string commandLine, bool runsAsUser = false)
        {
            FileName = fileName;
            FolderPath = folderPath;
            AccountName = accountName; AccountDomain = accountDomain; AccountSid = accountSid;
            ParentFileName = parent;
            DefaultCommandLine = commandLine;
            RunsAsUser = runsAsUser;
            // Stand-in hashes: fixed per image, so the same binary has the same hash on every machine.
            Sha256 = Hashes.Sha256Hex("synthetic-image:" + fileName.ToLowerInvariant());
            Sha1 = Hashes.Sha1Hex("synthetic-image:" + fileName.ToLowerInvariant());
            Md5 = Hashes.Md5Hex("synthetic-image:" + fileName.ToLowerInvariant());
            FileSize = 40_000 + (long)(Convert.ToUInt32(Sha256.Substring(0, 6), 16) % 4_000_000);
        }

        public string FileName { get; }
        public string FolderPath { get; }
        public string AccountName { get; }
        public string AccountDomain { get; }
        public string AccountSid { get; }
        public string ParentFileName { get; }
        public string DefaultCommandLine { get; }
        public bool RunsAsUser { get; }
        public string Sha256 { get; }
        public string Sha1 { get; }
        public string Md5 { get; }
        public long FileSize { get; }
    }

    internal sealed class ProcessInfo
    {
        public ProcessInfo(ImageInfo image) { Image = image; }

        /// <summary>A short-lived process running as the image's usual (service) account.</summary>
        public static ProcessInfo Started(ImageInfo image, long id, DateTime created, string commandLine,
            string parentFileName, long parentId, DateTime parentCreated) => new ProcessInfo(image)
        {
            Id = id,
            CreationTime = created,
            CommandLine = commandLine,
            AccountName = image.AccountName,
            AccountDomain = image.AccountDomain,
            AccountSid = image.AccountSid,
            ParentFileName = parentFileName,
            ParentId = parentId,
            ParentCreationTime = parentCreated,
        };
        public ImageInfo Image { get; }
        public long Id { get; set; }
        public DateTime CreationTime { get; set; }
        public string CommandLine { get; set; } = "";
        public string AccountName { get; set; } = "";
        public string AccountDomain { get; set; } = "";
        public string AccountSid { get; set; } = "";
        public string AccountUpn { get; set; } = "";
        public string IntegrityLevel { get; set; } = "System";
        public string TokenElevation { get; set; } = "TokenElevationTypeDefault";
        public long LogonId { get; set; } = 999;
        public string ParentFileName { get; set; } = "";
        public long ParentId { get; set; }
        public DateTime ParentCreationTime { get; set; }

        /// <summary>Fills the InitiatingProcess* block of an MDE row.</summary>
        public void Apply(Row row)
        {
            row.Set("InitiatingProcessAccountDomain", AccountDomain)
               .Set("InitiatingProcessAccountName", AccountName)
               .Set("InitiatingProcessAccountSid", AccountSid)
               .Set("InitiatingProcessAccountUpn", AccountUpn)
               .Set("InitiatingProcessLogonId", LogonId)
               .Set("InitiatingProcessMD5", Image.Md5)
               .Set("InitiatingProcessSHA1", Image.Sha1)
               .Set("InitiatingProcessSHA256", Image.Sha256)
               .Set("InitiatingProcessFolderPath", Image.FolderPath)
               .Set("InitiatingProcessFileName", Image.FileName)
               .Set("InitiatingProcessFileSize", Image.FileSize)
               .Set("InitiatingProcessId", Id)
               .Set("InitiatingProcessCommandLine", CommandLine)
               .Set("InitiatingProcessCreationTime", CreationTime)
               .Set("InitiatingProcessIntegrityLevel", IntegrityLevel)
               .Set("InitiatingProcessTokenElevation", TokenElevation)
               .Set("InitiatingProcessParentId", ParentId)
               .Set("InitiatingProcessParentFileName", ParentFileName)
               .Set("InitiatingProcessParentCreationTime", ParentCreationTime);
        }
    }

    internal static class ImageCatalog
    {
        private const string System = "system", NtAuthority = "nt authority", SystemSid = "S-1-5-18";

        /// <summary>Where the RunCommandWindows handler lives; the version folder varies by machine.</summary>
        public static string RunCommandPluginFolder(string version) =>
            $@"C:\Packages\Plugins\Microsoft.CPlat.Core.RunCommandWindows\{version}\";

        private static readonly Dictionary<string, ImageInfo> Images = Build();

        private static Dictionary<string, ImageInfo> Build()
        {
            var list = new[]
            {
                new ImageInfo("svchost.exe", @"c:\windows\system32\svchost.exe", System, NtAuthority, SystemSid, "services.exe", @"C:\Windows\system32\svchost.exe -k netsvcs -p"),
                new ImageInfo("MsMpEng.exe", @"c:\programdata\microsoft\windows defender\platform\4.18.25040.2-0\msmpeng.exe", System, NtAuthority, SystemSid, "services.exe", "\"MsMpEng.exe\""),
                new ImageInfo("MsSense.exe", @"c:\program files\windows defender advanced threat protection\mssense.exe", System, NtAuthority, SystemSid, "services.exe", "\"MsSense.exe\""),
                new ImageInfo("TiWorker.exe", @"c:\windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.20348.2700_none_7f6a9e2b3c8d1b0e\tiworker.exe", System, NtAuthority, SystemSid, "svchost.exe", @"C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.20348.2700_none_7f6a9e2b3c8d1b0e\TiWorker.exe -Embedding"),
                new ImageInfo("WindowsAzureGuestAgent.exe", @"c:\windowsazure\guestagent_2.7.41491.1102_2025-05-20_011447\windowsazureguestagent.exe", System, NtAuthority, SystemSid, "services.exe", @"C:\WindowsAzure\GuestAgent_2.7.41491.1102_2025-05-20_011447\WindowsAzureGuestAgent.exe"),
                new ImageInfo("WaAppAgent.exe", @"c:\windowsazure\packages\waappagent.exe", System, NtAuthority, SystemSid, "services.exe", @"C:\WindowsAzure\Packages\WaAppAgent.exe"),
                new ImageInfo("sqlservr.exe", @"c:\program files\microsoft sql server\mssql16.mssqlserver\mssql\binn\sqlservr.exe", "mssqlserver", "nt service", "S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003", "services.exe", "\"C:\\Program Files\\Microsoft SQL Server\\MSSQL16.MSSQLSERVER\\MSSQL\\Binn\\sqlservr.exe\" -sMSSQLSERVER"),
                new ImageInfo("w3wp.exe", @"c:\windows\system32\inetsrv\w3wp.exe", "defaultapppool", "iis apppool", "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415", "svchost.exe", @"c:\windows\system32\inetsrv\w3wp.exe -ap ""DefaultAppPool"" -v ""v4.0"" -l ""webengine4.dll"" -a \\.\pipe\iisipm3c1f4e2a -h ""C:\inetpub\temp\apppools\DefaultAppPool\DefaultAppPool.config"" -w """" -m 0"),
                new ImageInfo("chrome.exe", @"c:\program files\google\chrome\application\chrome.exe", "", "", "", "explorer.exe", "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\"", runsAsUser: true),
                new ImageInfo("msedge.exe", @"c:\program files (x86)\microsoft\edge\application\msedge.exe", "", "", "", "explorer.exe", "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --single-argument", runsAsUser: true),
                new ImageInfo("explorer.exe", @"c:\windows\explorer.exe", "", "", "", "userinit.exe", @"C:\Windows\Explorer.EXE", runsAsUser: true),
                new ImageInfo("OneDrive.exe", @"c:\program files\microsoft onedrive\onedrive.exe", "", "", "", "explorer.exe", "\"C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe\" /background", runsAsUser: true),
                new ImageInfo("Teams.exe", @"c:\program files\windowsapps\msteams_25122.1415.3698.6812_x64__8wekyb3d8bbwe\ms-teams.exe", "", "", "", "explorer.exe", "\"ms-teams.exe\"", runsAsUser: true),
                new ImageInfo("WmiPrvSE.exe", @"c:\windows\system32\wbem\wmiprvse.exe", "network service", NtAuthority, "S-1-5-20", "svchost.exe", @"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding"),
                new ImageInfo("lsass.exe", @"c:\windows\system32\lsass.exe", System, NtAuthority, SystemSid, "wininit.exe", @"C:\Windows\system32\lsass.exe"),
                new ImageInfo("services.exe", @"c:\windows\system32\services.exe", System, NtAuthority, SystemSid, "wininit.exe", @"C:\Windows\system32\services.exe"),
                new ImageInfo("taskhostw.exe", @"c:\windows\system32\taskhostw.exe", System, NtAuthority, SystemSid, "svchost.exe", "taskhostw.exe"),
                new ImageInfo("MonAgentCore.exe", @"c:\packages\plugins\microsoft.azure.monitor.azuremonitorwindowsagent\1.26.0.0\monitoring\agent\monagentcore.exe", System, NtAuthority, SystemSid, "MonAgentHost.exe", "MonAgentCore.exe -serviceMode"),
                new ImageInfo("powershell.exe", @"c:\windows\system32\windowspowershell\v1.0\powershell.exe", System, NtAuthority, SystemSid, "cmd.exe", "powershell.exe"),
                new ImageInfo("cmd.exe", @"c:\windows\system32\cmd.exe", System, NtAuthority, SystemSid, "RunCommandExtension.exe", "cmd.exe"),
                // InitiatingProcessFolderPath as MDE records it: the full path of the image, file name included.
                new ImageInfo("RunCommandExtension.exe", RunCommandPluginFolder("1.1.22") + "RunCommandExtension.exe", System, NtAuthority, SystemSid, "WindowsAzureGuestAgent.exe", "\"RunCommandExtension.exe\" enable"),
            };
            var map = new Dictionary<string, ImageInfo>(StringComparer.OrdinalIgnoreCase);
            foreach (var i in list) map.Add(i.FileName, i);
            return map;
        }

        private static readonly Dictionary<string, ImageInfo> RunCommandImages = new Dictionary<string, ImageInfo>(StringComparer.Ordinal);

        /// <summary>RunCommandExtension.exe of one handler version (the folder carries the version).</summary>
        public static ImageInfo RunCommandExtension(string version)
        {
            if (!RunCommandImages.TryGetValue(version, out var image))
            {
                var template = Images["RunCommandExtension.exe"];
                image = new ImageInfo(template.FileName, RunCommandPluginFolder(version) + template.FileName, System, NtAuthority, SystemSid,
                    template.ParentFileName, template.DefaultCommandLine);
                RunCommandImages.Add(version, image);
            }
            return image;
        }

        public static ImageInfo Get(string fileName) =>
            Images.TryGetValue(fileName, out var i) ? i : throw new ArgumentException($"No image '{fileName}' in the catalogue.");
    }

    /// <summary>The synthetic estate: one workspace, a few subscriptions, VMs, workstations and the people and
    /// service principals that manage them.</summary>
    internal sealed class Fleet
    {
        /// <summary>The Log Analytics workspace id: the TenantId column of every table.</summary>
        public string WorkspaceId { get; set; } = "";
        public string AadTenantId { get; set; } = "";
        public string ManagementGroup { get; set; } = "contoso-root";
        public List<AzureSubscription> Subscriptions { get; } = new List<AzureSubscription>();
        public List<Machine> Vms { get; } = new List<Machine>();
        public List<Machine> Workstations { get; } = new List<Machine>();
        public List<Principal> Operators { get; } = new List<Principal>();
        /// <summary>Azure Policy's caller for audit events.</summary>
        public string PolicyCaller { get; set; } = "";

        public static string DocumentationIp(Prng prng)
        {
            // RFC 5737 documentation ranges: clearly synthetic, still valid IPv4.
            string[] nets = { "192.0.2.", "198.51.100.", "203.0.113." };
            return prng.Pick(nets) + prng.Next(1, 255).ToString(CultureInfo.InvariantCulture);
        }

        public static string DocumentationIpv6(Prng prng) =>
            $"2001:db8:{prng.Next(1, 0xffff):x}:{prng.Next(1, 0xffff):x}::{prng.Next(1, 0xffff):x}";

        public static Principal User(Prng prng, string upn, string displayName, params string[] ips) => new Principal
        {
            Caller = upn,
            DisplayName = displayName,
            ObjectId = prng.GuidText(),
            AppId = prng.Chance(0.5) ? "04b07795-8ddb-461a-bbee-02f9e1bf7b46" /* Azure CLI */ : "c44b4083-3bb0-49c1-b47d-974e53cbdf3c" /* portal */,
            IpAddresses = ips,
            RoleAssignmentId = prng.Hex(16),
        };

        public static Principal ServicePrincipal(Prng prng, string displayName, params string[] ips)
        {
            string objectId = prng.GuidText();
            return new Principal
            {
                Caller = objectId,
                DisplayName = displayName,
                IsServicePrincipal = true,
                ObjectId = objectId,
                AppId = prng.GuidText(),
                IpAddresses = ips,
                RoleName = "Contributor",
                RoleDefinitionId = "b24988ac618042a0ab8820f7382dd24c",
                RoleAssignmentId = prng.Hex(16),
            };
        }

        public Machine AddVm(Prng prng, AzureSubscription sub, string resourceGroup, string vmName, string deviceName, string role)
        {
            var m = new Machine
            {
                IsAzureVm = true,
                Subscription = sub,
                ResourceGroup = resourceGroup,
                VmName = vmName,
                DeviceName = deviceName,
                DeviceId = prng.Hex(20),
                Role = role,
                LocalIp = "10." + prng.Next(0, 8) + "." + prng.Next(0, 255) + "." + prng.Next(4, 250),
                MachineGroup = role == "workstation" ? "" : "Azure Servers",
                BootTime = new DateTime(2025, 5, 20, 3, 0, 0, DateTimeKind.Utc).AddMinutes(prng.Next(0, 60 * 24 * 10)),
                InteractiveUser = "adm-" + prng.Pick(new[] { "alice", "bob", "dave", "erin" }),
            };
            Vms.Add(m);
            return m;
        }

        public Machine AddWorkstation(Prng prng, string deviceName, string user)
        {
            var m = new Machine
            {
                DeviceName = deviceName,
                DeviceId = prng.Hex(20),
                Role = "workstation",
                LocalIp = "172.16." + prng.Next(0, 40) + "." + prng.Next(4, 250),
                BootTime = new DateTime(2025, 6, 1, 6, 0, 0, DateTimeKind.Utc).AddMinutes(prng.Next(0, 60 * 24)),
                InteractiveUser = user,
            };
            Workstations.Add(m);
            return m;
        }
    }
}
