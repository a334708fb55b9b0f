namespace Waybill.Core.Execution.Protocol;

/// <summary>
/// Exception text a stage's own process reported over its channel (a Python traceback, say), carried to the log sinks,
/// which write an exception as its <see cref="ToString"/>. Never thrown.
/// </summary>
internal sealed class ReportedException : Exception
{
    private readonly string _text;

    public ReportedException()
        : this("")
    {
    }

    public ReportedException(string text)
        : base(LastLine(text))
    {
        _text = text;
    }

    public ReportedException(string message, Exception innerException)
        : base(message, innerException)
    {
        _text = message;
    }

    public override string? StackTrace => null;

    public override string ToString() => _text;

    /// <summary>A traceback ends with the line that names the error.</summary>
    private static string LastLine(string text) =>
        text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
