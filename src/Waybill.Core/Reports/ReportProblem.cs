namespace Waybill.Core.Reports;

/// <summary>An error or warning of a stage run, with the log excerpt that shows it (null when its line was not found).</summary>
internal sealed record ReportProblem(bool IsError, DateTimeOffset Time, string Message, string? Exception, LogExcerpt? Excerpt);
