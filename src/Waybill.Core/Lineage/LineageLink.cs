namespace Waybill.Core.Lineage;

public enum LinkKind
{
    /// <summary>File → stage: the stage read the file (named by the stage's input name).</summary>
    Input,
    /// <summary>Stage → file: a declared output.</summary>
    Output,
    /// <summary>Stage → file: a retained intermediate file.</summary>
    Intermediate,
    /// <summary>Other job's stage → this job's external input with the same checksum.</summary>
    ProducedByOtherJob,
    /// <summary>This job's file → other job's stage that read a file with the same checksum.</summary>
    ReadByOtherJob,
}

/// <summary>A directed edge: data flows from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed class LineageLink
{
    public required LineageNode From { get; init; }
    public required LineageNode To { get; init; }
    public required LinkKind Kind { get; init; }
    /// <summary>The input or output name the manifest gives, if any.</summary>
    public string? Name { get; init; }
    /// <summary>For cross-job links: the path the other job recorded.</summary>
    public string? OtherPath { get; init; }

    public bool CrossesJobs => Kind is LinkKind.ProducedByOtherJob or LinkKind.ReadByOtherJob;
}
