namespace Waybill.Core.Pipeline;

/// <summary>Where something was written in a pipeline file, for error messages (<c>waybill.yaml:12:5</c>).</summary>
public sealed record SourceLocation(string File, long Line, long Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}
