namespace Waybill.Core.Manifests;

/// <summary>
/// The stage's fingerprint: one digest over its definition, config, tool versions and input hashes, with the
/// definition's own digest kept apart so a change can be named (config, tools and inputs are in the manifest itself).
/// </summary>
public sealed class StageFingerprint
{
    /// <summary>algorithm:hex over everything below and the manifest's config, tool_versions and input checksums.</summary>
    public required string Value { get; set; }
    /// <summary>algorithm:hex over the stage's kind, command or uses, declared inputs and outputs, env and code version.</summary>
    public required string Definition { get; set; }
    /// <summary>The stage's code version (builtin and code stages): Waybill's version unless the stage declares one.</summary>
    public string? CodeVersion { get; set; }
    /// <summary>The config the pipeline gave the stage (secret values ***), before the stage added anything of its own.</summary>
    public System.Text.Json.Nodes.JsonObject Config { get; set; } = [];
    /// <summary>Tool name → the command that printed its version, so a later run can ask again before deciding.</summary>
    public Dictionary<string, string> ToolCommands { get; set; } = [];
}

/// <summary>Where the outputs of a stage skipped as up to date came from.</summary>
public sealed class ProducedBy
{
    public required string RunId { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset? FinishedUtc { get; set; }
    /// <summary>The status of that run of the stage (success, or skipped when the stage itself chose to skip).</summary>
    public required string Status { get; set; }
    public string? StatusReason { get; set; }
    public double DurationSeconds { get; set; }
    public double CpuSeconds { get; set; }
}
