<#
.SYNOPSIS
    Hunts the last day of a Sentinel workspace for Azure VM Run Command scripts never seen before, and writes alerts
    and an HTML report.

.DESCRIPTION
    One run of the daily hunt (Register-DailyHunt.ps1 schedules it):

      1. Get-RunCommandOperation: every Run Command operation of the day in AzureActivity (failed ones included).
      2. Get-RunCommandScriptExecution: the scripts the succeeded ones wrote and the cmdlets those ran (MDE tables).
      3. Find-UniqueRunCommandScript -BaselinePath -UpdateBaseline: the scripts whose fingerprint the baseline has
         never seen. The baseline (baseline.json in -OutputFolder) remembers every fingerprint, so a script is
         reported on the first day it runs and never again. The first run reports every script it finds.
      4. New-RunCommandHuntAlert: one alert per new script in alerts-<yyyy-MM-dd>.jsonl (SecurityAlert field names,
         one JSON object a line; an empty file when nothing is new).
      5. Export-RunCommandHuntReport: report-<yyyy-MM-dd>.html, the day's operations, scripts and findings.

    The date in the file names is the UTC date the hunted day ends. A failure writes error-<yyyy-MM-dd>.txt and ends
    the script with the error (pwsh -File then exits with 1, which Task Scheduler shows as the last run result).

    Sign in with a service principal certificate (-TenantId -ClientId -CertificateThumbprint), a managed identity
    (-ManagedIdentity, optionally -ClientId of a user-assigned one) or a token you already have (-AccessToken).
    The identity needs Log Analytics Reader (or Microsoft.OperationalInsights/workspaces/query/read) on the workspace.

.PARAMETER WorkspaceId
    The workspace ID (a GUID: "Workspace ID" on the Log Analytics workspace's overview), not its name.

.PARAMETER OutputFolder
    Where baseline.json, the alerts, the reports and error files go. Created when missing.

.PARAMETER TenantId
    Directory (tenant) of the service principal.

.PARAMETER ClientId
    The service principal's application (client) ID; with -ManagedIdentity, the client ID of a user-assigned identity.

.PARAMETER CertificateThumbprint
    Thumbprint of the service principal's certificate, with its private key, in CurrentUser\My or LocalMachine\My of
    the account the task runs as.

.PARAMETER ManagedIdentity
    Sign in as the machine's managed identity (an Azure VM or an Arc-enabled server).

.PARAMETER AccessToken
    A token for https://api.loganalytics.io (Get-AzAccessToken -ResourceUrl https://api.loganalytics.io): a string or
    the SecureString Az.Accounts 5 returns. For a one-off run; it expires within the hour.

.PARAMETER Endpoint
    Another address of the query API (a private link, a proxy). Default: the cloud's public endpoint.

.PARAMETER Environment
    The Azure cloud: AzurePublic, AzureUSGovernment or AzureChina.

.PARAMETER EndTime
    End of the hunted day (UTC; default: now). The hunt covers the 24 hours before it. Give it to hunt a past day
    again, e.g. after the machine was off: -EndTime '2025-06-03T00:00:00Z'.

.PARAMETER Fingerprint
    Commands (Sentinel's hash of the cmdlets, the default) or CommandsAndSize (also the script's file size).

.PARAMETER IncludeFailedAttempts
    Also raise an alert for each Run Command that failed or was rejected (an attacker probing). These are alerts
    every day they happen; the baseline applies to scripts only.

.EXAMPLE
    PS> .\Invoke-DailyHunt.ps1 -WorkspaceId 0b4c5a4e-0000-4000-8000-000000000001 -OutputFolder D:\RunCommandHunt `
            -TenantId contoso.onmicrosoft.com -ClientId 6f1d...-... -CertificateThumbprint 3A1F...

    Hunts the last 24 hours as the service principal, writes D:\RunCommandHunt\alerts-<date>.jsonl and report-<date>.html.

.EXAMPLE
    PS> .\Invoke-DailyHunt.ps1 -WorkspaceId $ws -OutputFolder D:\RunCommandHunt -ManagedIdentity

    The same on an Azure VM or Arc-enabled server, as its system-assigned managed identity.

.EXAMPLE
    PS> $token = (Get-AzAccessToken -ResourceUrl https://api.loganalytics.io).Token
    PS> .\Invoke-DailyHunt.ps1 -WorkspaceId $ws -OutputFolder .\hunt -AccessToken $token

    A one-off run with your own Az PowerShell sign-in.
#>
[CmdletBinding(DefaultParameterSetName = 'Certificate')]
param(
    [Parameter(Mandatory)]
    [guid] $WorkspaceId,

    [Parameter(Mandatory)]
    [ValidateNotNullOrEmpty()]
    [string] $OutputFolder,

    [Parameter(Mandatory, ParameterSetName = 'Certificate')]
    [ValidateNotNullOrEmpty()]
    [string] $TenantId,

    [Parameter(Mandatory, ParameterSetName = 'Certificate')]
    [Parameter(ParameterSetName = 'ManagedIdentity')]
    [ValidateNotNullOrEmpty()]
    [string] $ClientId,

    [Parameter(Mandatory, ParameterSetName = 'Certificate')]
    [ValidateNotNullOrEmpty()]
    [string] $CertificateThumbprint,

    [Parameter(Mandatory, ParameterSetName = 'ManagedIdentity')]
    [switch] $ManagedIdentity,

    [Parameter(Mandatory, ParameterSetName = 'AccessToken')]
    [ValidateNotNull()]
    [object] $AccessToken,

    [uri] $Endpoint,

    [ValidateSet('AzurePublic', 'AzureUSGovernment', 'AzureChina')]
    [string] $Environment = 'AzurePublic',

    [datetime] $EndTime = [datetime]::UtcNow,

    [ValidateSet('Commands', 'CommandsAndSize')]
    [string] $Fingerprint = 'Commands',

    [switch] $IncludeFailedAttempts
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# Task Scheduler starts a fresh pwsh: load the module from PSModulePath unless the caller already has it.
if (-not (Get-Module -Name RunCommandHunt)) {
    Import-Module -Name RunCommandHunt
}

# One window for every query of the run, so the three tables cover the same day.
$end = $EndTime.ToUniversalTime()
$start = $end.AddDays(-1)
$day = $end.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture)

$null = New-Item -ItemType Directory -Path $OutputFolder -Force
$baselinePath = Join-Path $OutputFolder 'baseline.json'
$alertPath = Join-Path $OutputFolder "alerts-$day.jsonl"
$reportPath = Join-Path $OutputFolder "report-$day.html"
$errorPath = Join-Path $OutputFolder "error-$day.txt"

$live = @{
    WorkspaceId = $WorkspaceId
    StartTime   = $start
    EndTime     = $end
    Environment = $Environment
}
if ($Endpoint) { $live.Endpoint = $Endpoint }
switch ($PSCmdlet.ParameterSetName) {
    'Certificate' {
        $live.TenantId = $TenantId
        $live.ClientId = $ClientId
        $live.CertificateThumbprint = $CertificateThumbprint
    }
    'ManagedIdentity' {
        $live.ManagedIdentity = $true
        if ($ClientId) { $live.ClientId = $ClientId }
    }
    'AccessToken' {
        $live.AccessToken = $AccessToken
    }
}

try {
    $operations = @(Get-RunCommandOperation @live -IncludeFailed)
    $succeeded = @($operations | Where-Object Status -EQ 'Succeeded')
    # Piped operations: the device tables are asked only about their machines and times.
    $executions = @($succeeded | Get-RunCommandScriptExecution @live)
    $newScripts = @($executions | Find-UniqueRunCommandScript -BaselinePath $baselinePath -UpdateBaseline -Fingerprint $Fingerprint)

    $findings = @($newScripts)
    if ($IncludeFailedAttempts) {
        $findings += @($operations | Where-Object Status -In 'Failed', 'Rejected')
    }
    $alerts = @($findings | New-RunCommandHuntAlert -AggregationKind AlertPerResult -Path $alertPath -PassThru)

    $report = @($operations) + $executions + $newScripts |
        Export-RunCommandHuntReport -Path $reportPath -Title "Run Command hunt, $($start.ToString('u')) to $($end.ToString('u'))"
}
catch {
    # Unattended: leave the reason where the results would have been.
    $_ | Out-String -Width 200 | Set-Content -LiteralPath $errorPath -Encoding utf8
    throw
}

[pscustomobject]@{
    StartTime  = $start
    EndTime    = $end
    Operations = $operations.Count
    Executions = $executions.Count
    NewScripts = $newScripts.Count
    Alerts     = $alerts.Count
    AlertPath  = $alertPath
    ReportPath = $report.FullName
    Baseline   = $baselinePath
}
