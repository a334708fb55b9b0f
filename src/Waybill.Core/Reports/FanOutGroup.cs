namespace Waybill.Core.Reports;

/// <summary>The item runs of one fan-out stage, drawn as one bracket over the timeline from its first start to its last end.</summary>
internal sealed class FanOutGroup
{
    public required string StageId { get; init; }
    /// <summary>Indexes into <see cref="RunReport.Stages"/>.</summary>
    public List<int> Items { get; } = [];
    public double? Start { get; set; }
    public double? End { get; set; }
    /// <summary>The bracket row, so that brackets overlapping in time do not cover each other; -1 without a bar.</summary>
    public int Row { get; set; } = -1;
}
