<#
.SYNOPSIS
    Registers a Windows Task Scheduler task that runs Invoke-DailyHunt.ps1 with pwsh every day.

.DESCRIPTION
    Creates (or replaces, with -Force semantics) the task \RunCommandHunt\<TaskName>: daily at -At, started late
    when the machine was off, never two at once, stopped after two hours. It runs

        pwsh.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File <Invoke-DailyHunt.ps1> -WorkspaceId ... -OutputFolder ... <sign-in>

    as SYSTEM by default. Sign-in is a service principal certificate (-TenantId -ClientId -CertificateThumbprint) or
    the machine's managed identity (-ManagedIdentity, Azure VM or Arc-enabled server). No secret is stored in the
    task: the certificate stays in the store, found by its thumbprint.

    Run it elevated (registering a task as SYSTEM needs administrator rights). Install the RunCommandHunt module
    for all users (Install-Module -Scope AllUsers, or copy it under $env:ProgramFiles\PowerShell\Modules) so the
    task's pwsh finds it.

.PARAMETER WorkspaceId
    The Sentinel (Log Analytics) workspace ID to hunt.

.PARAMETER OutputFolder
    Where the daily run writes baseline.json, alerts-<date>.jsonl, report-<date>.html and error-<date>.txt.

.PARAMETER TenantId
    Directory (tenant) of the service principal.

.PARAMETER ClientId
    The service principal's application ID; with -ManagedIdentity, the client ID of a user-assigned identity.

.PARAMETER CertificateThumbprint
    Thumbprint of the service principal's certificate. Running as SYSTEM, put it in LocalMachine\My.

.PARAMETER ManagedIdentity
    Sign in as the machine's managed identity.

.PARAMETER At
    Time of day to run (local time of the machine). Default 06:00.

.PARAMETER TaskName
    Name of the task, under the folder -TaskPath.

.PARAMETER TaskPath
    Task Scheduler folder. Default \RunCommandHunt\.

.PARAMETER UserId
    Account the task runs as. SYSTEM (default) needs no password. Another account runs whether or not it is logged
    on (S4U): it cannot use a CurrentUser certificate then, so put the certificate in LocalMachine\My and give the
    account read access to its private key.

.PARAMETER ScriptPath
    The daily hunt script. Default: Invoke-DailyHunt.ps1 next to this script.

.PARAMETER PwshPath
    pwsh.exe to run it with. Default: the PowerShell 7 this script runs in.

.PARAMETER Endpoint
    Passed to Invoke-DailyHunt.ps1: another address of the query API (a private link).

.PARAMETER Environment
    Passed to Invoke-DailyHunt.ps1: AzurePublic, AzureUSGovernment or AzureChina.

.PARAMETER IncludeFailedAttempts
    Passed to Invoke-DailyHunt.ps1: also alert on failed or rejected Run Command attempts.

.EXAMPLE
    PS> .\Register-DailyHunt.ps1 -WorkspaceId 0b4c5a4e-0000-4000-8000-000000000001 -OutputFolder 'D:\RunCommandHunt' `
            -TenantId contoso.onmicrosoft.com -ClientId 6f1d0000-0000-4000-8000-000000000002 -CertificateThumbprint 3A1F...

.EXAMPLE
    PS> .\Register-DailyHunt.ps1 -WorkspaceId $ws -OutputFolder 'D:\RunCommandHunt' -ManagedIdentity -At 02:30
#>
[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Certificate')]
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

    [datetime] $At = '06:00',

    [ValidateNotNullOrEmpty()]
    [string] $TaskName = 'Daily hunt',

    [ValidateNotNullOrEmpty()]
    [string] $TaskPath = '\RunCommandHunt\',

    [ValidateNotNullOrEmpty()]
    [string] $UserId = 'SYSTEM',

    [ValidateNotNullOrEmpty()]
    [string] $ScriptPath = (Join-Path $PSScriptRoot 'Invoke-DailyHunt.ps1'),

    [ValidateNotNullOrEmpty()]
    [string] $PwshPath = (Join-Path $PSHOME 'pwsh.exe'),

    [uri] $Endpoint,

    [ValidateSet('AzurePublic', 'AzureUSGovernment', 'AzureChina')]
    [string] $Environment = 'AzurePublic',

    [switch] $IncludeFailedAttempts
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

# One argument as the Windows command line (CommandLineToArgvW, which pwsh.exe uses) reads it back.
function ConvertTo-CommandLineArgument([string] $Value) {
    if ($Value.Length -gt 0 -and $Value -notmatch '[\s"]') { return $Value }
    # Backslashes before a quote are doubled and the quote escaped; trailing ones are doubled so that the closing
    # quote stays a quote ("D:\Hunt\" would otherwise swallow it).
    $escaped = [regex]::Replace($Value, '(\\*)"', { param($m) ($m.Groups[1].Value * 2) + '\"' })
    $escaped = [regex]::Replace($escaped, '(\\+)$', { param($m) $m.Groups[1].Value * 2 })
    '"' + $escaped + '"'
}

$script = (Resolve-Path -LiteralPath $ScriptPath).ProviderPath
# The task starts elsewhere (System32): a relative folder must become absolute here.
$folder = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($OutputFolder)

$arguments = [System.Collections.Generic.List[string]]::new()
$arguments.AddRange([string[]]@('-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', $script))
$arguments.AddRange([string[]]@('-WorkspaceId', $WorkspaceId.ToString('D'), '-OutputFolder', $folder))
if ($PSCmdlet.ParameterSetName -eq 'Certificate') {
    $arguments.AddRange([string[]]@('-TenantId', $TenantId, '-ClientId', $ClientId, '-CertificateThumbprint', $CertificateThumbprint))
}
else {
    $arguments.Add('-ManagedIdentity')
    if ($ClientId) { $arguments.AddRange([string[]]@('-ClientId', $ClientId)) }
}
if ($Endpoint) { $arguments.AddRange([string[]]@('-Endpoint', $Endpoint.AbsoluteUri)) }
if ($Environment -ne 'AzurePublic') { $arguments.AddRange([string[]]@('-Environment', $Environment)) }
if ($IncludeFailedAttempts) { $arguments.Add('-IncludeFailedAttempts') }
$argumentLine = ($arguments | ForEach-Object { ConvertTo-CommandLineArgument $_ }) -join ' '

$action = New-ScheduledTaskAction -Execute $PwshPath -Argument $argumentLine -WorkingDirectory (Split-Path -Parent $script)
$trigger = New-ScheduledTaskTrigger -Daily -At $At
$settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -MultipleInstances IgnoreNew `
    -ExecutionTimeLimit (New-TimeSpan -Hours 2) -RestartCount 2 -RestartInterval (New-TimeSpan -Minutes 30)
if ($UserId -eq 'SYSTEM') {
    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
}
else {
    $principal = New-ScheduledTaskPrincipal -UserId $UserId -LogonType S4U -RunLevel Limited
}

if ($PSCmdlet.ShouldProcess("$TaskPath$TaskName", 'Register the daily Run Command hunt')) {
    Register-ScheduledTask -TaskName $TaskName -TaskPath $TaskPath -Action $action -Trigger $trigger -Settings $settings `
        -Principal $principal -Description "RunCommandHunt: hunts workspace $WorkspaceId daily; results in $folder." -Force
}
