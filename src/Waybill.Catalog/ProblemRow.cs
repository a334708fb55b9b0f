namespace Waybill.Catalog;

/// <summary>One error or warning of a stage run: a row of <c>problems</c>.</summary>
internal sealed record ProblemRow(DateTimeOffset At, string Message, string? ExceptionType);
