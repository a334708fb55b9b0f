namespace Waybill.Core.Processes;

/// <summary>What one output stream of a child carried and what of it <see cref="OutputLimits"/> left out.</summary>
/// <param name="Bytes">Bytes the child wrote to the stream.</param>
/// <param name="Lines">Lines it wrote (a last line without a newline counts).</param>
/// <param name="KeptBytes">Bytes of line text delivered (notes excluded).</param>
/// <param name="DroppedBytes">Bytes of line text dropped from the middle of the stream.</param>
/// <param name="DroppedLines">Lines dropped from the middle of the stream.</param>
/// <param name="CutLines">Lines longer than the line limit, cut there.</param>
/// <param name="CutBytes">Bytes dropped from the ends of those lines.</param>
public readonly record struct OutputStats(long Bytes, long Lines, long KeptBytes, long DroppedBytes, long DroppedLines, long CutLines, long CutBytes)
{
    /// <summary>True when any of the stream was left out.</summary>
    public bool Truncated => DroppedLines > 0 || CutLines > 0;
}
