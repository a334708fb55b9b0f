namespace Waybill.Core.Manifests;

/// <summary>An error or warning with its time and, for errors, the exception behind it.</summary>
public sealed class ProblemRecord
{
    public required DateTimeOffset Timestamp { get; set; }
    public required string Message { get; set; }
    public string? ExceptionType { get; set; }
    public string? ExceptionMessage { get; set; }
    public string? StackTrace { get; set; }
}
