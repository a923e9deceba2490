@{
    RootModule           = 'RunCommandHunt.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d6b7c1e-2f0a-4c1b-9d7e-3a8f4b2c6e11'
    Author               = 'RunCommandHunt contributors'
    CompanyName          = 'RunCommandHunt contributors'
    Copyright            = '(c) RunCommandHunt contributors. MIT License.'
    Description          = 'Hunts Azure VM Run Command abuse: links AzureActivity Run Command operations to the scripts RunCommandExtension.exe wrote (DeviceFileEvents) and the cmdlets they ran (DeviceEvents), fingerprints them and finds the unique ones. Reproduces Sentinel hunting query AzureRunCommandMDELinked and analytic rule 5239248b exactly on request, and hunts correctly by default. Works on exported evidence, Log Analytics and Defender XDR.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    RequiredAssemblies   = @('RunCommandHunt.Model.dll')
    TypesToProcess       = @('RunCommandHunt.Types.ps1xml')
    FormatsToProcess     = @('RunCommandHunt.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-RunCommandOperation'
        'Get-RunCommandScriptExecution'
        'Find-UniqueRunCommandScript'
        'New-RunCommandHuntAlert'
        'Export-RunCommandHuntReport'
        'Get-RunCommandHuntQuery'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    FileList             = @(
        'RunCommandHunt.psd1'
        'RunCommandHunt.dll'
        'RunCommandHunt.Model.dll'
        'RunCommandHunt.Types.ps1xml'
        'RunCommandHunt.Format.ps1xml'
        'en-US/RunCommandHunt.dll-Help.xml'
        'en-US/about_RunCommandHunt.help.txt'
        'dependencies/RunCommandHunt.Engine.dll'
        'dependencies/RunCommandHunt.Engine.Vectorized.dll'
    )
    PrivateData          = @{
        PSData = @{
            Tags         = @('Security', 'IncidentResponse', 'DFIR', 'Azure', 'Sentinel', 'Defender', 'RunCommand', 'ThreatHunting', 'KQL')
            ProjectUri   = 'https://github.com/runcommandhunt/RunCommandHunt'
            LicenseUri   = 'https://github.com/runcommandhunt/RunCommandHunt/blob/main/LICENSE'
            ReleaseNotes = 'First release: offline hunt engine, the two Sentinel detections reproduced exactly, correct default correlation.'
        }
    }
}
