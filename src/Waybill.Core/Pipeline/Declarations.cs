namespace Waybill.Core.Pipeline;

/// <summary>
/// A file a stage reads: another stage's declared output (<c>01_demux.audio</c>) or an external file.
/// External paths are relative to the pipeline file's folder unless absolute.
/// </summary>
public sealed record InputDeclaration(string Name, string? FromStage, string? FromOutput, string? ExternalPath, string? Type, string? Format, SourceLocation? Location = null)
{
    public bool IsUpstream => FromStage is not null;
}

/// <summary>A file a stage must produce, relative to its own folder.</summary>
public sealed record OutputDeclaration(string Name, string Path, string? Type, string? Format, SourceLocation? Location = null);
