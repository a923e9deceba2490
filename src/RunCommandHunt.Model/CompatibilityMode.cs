namespace RunCommandHunt
{
    /// <summary>Which behaviour a stage follows.</summary>
    public enum CompatibilityMode
    {
        /// <summary>The correct hunt: same machine, both status vocabularies, no fan-out.</summary>
        None = 0,
        /// <summary>Row for row what hunting query AzureRunCommandMDELinked (55fbc363) returns, flaws included.</summary>
        HuntingQuery = 1,
        /// <summary>Row for row what analytic rule 5239248b (template 1.0.8) returns, flaws included.</summary>
        AnalyticRule = 2,
    }

    /// <summary>What the script fingerprint hashes.</summary>
    public enum FingerprintKind
    {
        /// <summary>Sentinel's hash: SHA-256 of the compact JSON of the command list.</summary>
        Commands = 0,
        /// <summary>What the rule's description promises: the command list JSON followed by the file size.</summary>
        CommandsAndSize = 1,
    }
}
