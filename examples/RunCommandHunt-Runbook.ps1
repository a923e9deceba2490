<#
.SYNOPSIS
    Azure Automation runbook: hunts the last day of a Sentinel workspace for unique Azure VM Run Command scripts and
    writes alerts, signed in as the Automation account's managed identity.

.DESCRIPTION
    Import the RunCommandHunt module into the Automation account (Modules > Add a module, PowerShell 7.2 or later
    runtime), create a PowerShell runbook from this file and link it to a daily schedule.

    The runbook signs in with the Automation account's managed identity: system-assigned by default, user-assigned
    with -ClientId. Grant that identity Log Analytics Reader on the workspace.

    A script is reported when its fingerprint is seen once in the day (analytic rule 5239248b's test, over the
    rule's 1-day period). On a Hybrid Runbook Worker, -BaselinePath keeps a first-seen baseline across runs instead,
    as Invoke-DailyHunt.ps1 does: the Azure sandbox keeps no file from one job to the next.

    Output: one line of JSON per alert (SecurityAlert field names), in the job's output stream, where a Logic App or
    another runbook can pick them up; the same lines in alerts-<yyyy-MM-dd>.jsonl in -OutputFolder.

.PARAMETER WorkspaceId
    The workspace ID (a GUID) of the Sentinel (Log Analytics) workspace.

.PARAMETER SignIn
    ManagedIdentity (default): the Automation account's identity. AccessToken: a token passed in -AccessToken (for a
    test run outside Azure Automation).

.PARAMETER ClientId
    Client ID of a user-assigned managed identity of the Automation account. Empty: the system-assigned identity.

.PARAMETER AccessToken
    With -SignIn AccessToken: a token for https://api.loganalytics.io (string or SecureString).

.PARAMETER Endpoint
    Another address of the query API (a private link). Empty: the cloud's public endpoint.

.PARAMETER Environment
    The Azure cloud: AzurePublic, AzureUSGovernment or AzureChina.

.PARAMETER OutputFolder
    Where the alerts file goes. Default: the job's temporary folder.

.PARAMETER BaselinePath
    A first-seen baseline file (Hybrid Runbook Worker): report scripts never seen before instead of scripts seen once today.

.EXAMPLE
    Start-AzAutomationRunbook -AutomationAccountName aa-soc -ResourceGroupName rg-soc -Name RunCommandHunt-Runbook `
        -Parameters @{ WorkspaceId = '0b4c5a4e-0000-4000-8000-000000000001' }

    One run now, as the system-assigned identity.
#>
param(
    [Parameter(Mandatory)]
    [string] $WorkspaceId,

    [ValidateSet('ManagedIdentity', 'AccessToken')]
    [string] $SignIn = 'ManagedIdentity',

    [string] $ClientId,

    [object] $AccessToken,

    [string] $Endpoint,

    [ValidateSet('AzurePublic', 'AzureUSGovernment', 'AzureChina')]
    [string] $Environment = 'AzurePublic',

    [string] $OutputFolder = [System.IO.Path]::GetTempPath(),

    [string] $BaselinePath
)

$ErrorActionPreference = 'Stop'

if (-not (Get-Module -Name RunCommandHunt)) {
    Import-Module -Name RunCommandHunt
}

$end = [datetime]::UtcNow
$start = $end.AddDays(-1)

$live = @{
    WorkspaceId = [guid]$WorkspaceId
    StartTime   = $start
    EndTime     = $end
    Environment = $Environment
}
if ($Endpoint) { $live.Endpoint = [uri]$Endpoint }
if ($SignIn -eq 'ManagedIdentity') {
    $live.ManagedIdentity = $true
    if ($ClientId) { $live.ClientId = $ClientId }
}
else {
    if ($null -eq $AccessToken) { throw '-SignIn AccessToken needs -AccessToken.' }
    $live.AccessToken = $AccessToken
}

$executions = @(Get-RunCommandOperation @live | Get-RunCommandScriptExecution @live)
if ($BaselinePath) {
    $findings = @($executions | Find-UniqueRunCommandScript -BaselinePath $BaselinePath -UpdateBaseline)
}
else {
    $findings = @($executions | Find-UniqueRunCommandScript)
}

$alertPath = Join-Path $OutputFolder ('alerts-{0}.jsonl' -f $end.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture))
$null = $findings | New-RunCommandHuntAlert -AggregationKind AlertPerResult -Path $alertPath
Write-Verbose "$($executions.Count) script execution(s) from $($start.ToString('u')) to $($end.ToString('u')); $($findings.Count) finding(s); alerts in $alertPath."

# The job output: one alert a line, ready for a Logic App or a SIEM import.
Get-Content -LiteralPath $alertPath | Where-Object { $_ }
