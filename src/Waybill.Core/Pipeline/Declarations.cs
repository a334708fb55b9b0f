namespace Waybill.Core.Pipeline;

/// <summary>
/// A file a stage reads: another stage's declared output (<c>01_demux.audio</c>) or an external file.
/// External paths are relative to the pipeline file's folder unless absolute, and may name config values
/// (<c>{config.video}</c>). An optional input whose producer was skipped is simply absent for the stage.
/// </summary>
public sealed record InputDeclaration(string Name, string? FromStage, string? FromOutput, string? ExternalPath, string? Type, string? Format, SourceLocation? Location = null, bool Optional = false)
{
    public bool IsUpstream => FromStage is not null;

    /// <summary><c>06_asr.segments[*]</c>: the output of every item of a fan-out stage (a gather).</summary>
    public bool Gather { get; init; }

    /// <summary>
    /// For the inputs a gather expands into (one per item, named <c>all[episode-01]</c>): the gather's own name, which
    /// <c>{in.all}</c> and <c>{in.all.list}</c> stand for. Null for any other input.
    /// </summary>
    public string? GatherName { get; init; }

    /// <summary>
    /// The path is final: an item run's path had its placeholders filled in one pass when the fan-out was expanded, so a
    /// file name holding <c>{config.x}</c> is read as written, never expanded a second time.
    /// </summary>
    public bool PathIsFinal { get; init; }
}

/// <summary>A file a stage must produce, relative to its own folder.</summary>
public sealed record OutputDeclaration(string Name, string Path, string? Type, string? Format, SourceLocation? Location = null);
