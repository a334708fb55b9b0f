namespace Waybill.Core.Pipeline;

/// <summary>One problem in a pipeline definition: what, where (file:line:column and field) and what to do.</summary>
public sealed record PipelineError(string Message, SourceLocation? Location = null, string? Field = null, string? Hint = null)
{
    public override string ToString()
    {
        var where = Location is null ? (Field is null ? "" : $"{Field}: ") : $"{Location}: {(Field is null ? "" : Field + ": ")}";
        return $"{where}{Message}{(Hint is null ? "" : $" ({Hint})")}";
    }
}

/// <summary>A pipeline that cannot run. Carries every problem found, not only the first.</summary>
public sealed class PipelineInvalidException(IReadOnlyList<PipelineError> errors)
    : Exception(errors.Count == 1 ? errors[0].ToString() : $"{errors.Count} problems in the pipeline:{Environment.NewLine}" + string.Join(Environment.NewLine, errors.Select(e => "  " + e)))
{
    public PipelineInvalidException(PipelineError error) : this([error]) { }

    public IReadOnlyList<PipelineError> Errors { get; } = errors;
}
