namespace Waybill.Core.Reports;

/// <summary>Bounds on what a report reads and embeds, so a job with huge logs still gives a report of a few megabytes.</summary>
internal static class ReportLimits
{
    /// <summary>Of each stage.log, only the last this many bytes are searched for warning and error lines.</summary>
    public const int LogTailBytes = 8 << 20;
    /// <summary>Lines of context before a warning or error line, and at most this many after it (its exception text).</summary>
    public const int LinesBefore = 3;
    public const int LinesAfter = 12;
    /// <summary>A log line longer than this is cut, saying how much was left out.</summary>
    public const int LineChars = 400;
    /// <summary>All excerpts together; past this, a problem is listed without its excerpt (and the report says so).</summary>
    public const int ExcerptBudgetChars = 4 << 20;
    /// <summary>A resource samples file larger than this is not drawn.</summary>
    public const int SamplesFileBytes = 32 << 20;
    /// <summary>Points per curve (charts are 170 pixels wide); longer files are thinned to this many by averaging neighbouring rows.</summary>
    public const int CurvePoints = 120;
    /// <summary>The previous run's part of events.jsonl is read only up to this size.</summary>
    public const long PreviousEventsBytes = 256L << 20;
    /// <summary>The pipeline snapshot shown under Config.</summary>
    public const int SnapshotBytes = 256 << 10;
    /// <summary>metadata.json larger than this is not read (it is a few hundred bytes).</summary>
    public const int MetadataBytes = 1 << 20;
}
