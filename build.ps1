#Requires -Version 5.1
<#
.SYNOPSIS
    Builds RunCommandHunt, assembles the module in ./module/RunCommandHunt, and runs the tests.
.EXAMPLE
    ./build.ps1                 # build (Release), assemble, test
.EXAMPLE
    ./build.ps1 -Task Build     # build and assemble only
.EXAMPLE
    ./build.ps1 -Task Bench     # run the benchmark (bench/README.md)
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'All', 'Bench')]
    [string] $Task = 'All',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

if ($Task -in 'Build', 'All') {
    Invoke-Dotnet build RunCommandHunt.sln -c $Configuration
    $manifest = Join-Path $PSScriptRoot 'module/RunCommandHunt/RunCommandHunt.psd1'
    if (-not (Test-Path $manifest)) { throw "The module was not assembled at $manifest" }
    Test-ModuleManifest $manifest | Out-Null
    Write-Host "Module: $manifest"
}
if ($Task -in 'Test', 'All') {
    Invoke-Dotnet test RunCommandHunt.sln -c $Configuration
}
if ($Task -eq 'Bench') {
    Invoke-Dotnet run --project bench/RunCommandHunt.Bench -c Release
}
