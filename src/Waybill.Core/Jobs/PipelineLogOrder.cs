using System.Globalization;

namespace Waybill.Core.Jobs;

/// <summary>
/// Pipeline logs in the order their runs started: by the timestamp in the name, then by the <c>_2</c>, <c>_3</c>, …
/// suffix of runs started in the same second (numerically, so <c>_10</c> follows <c>_9</c>).
/// </summary>
public sealed class PipelineLogOrder : IComparer<string>
{
    public static readonly PipelineLogOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var (stampX, suffixX) = Split(x);
        var (stampY, suffixY) = Split(y);
        var byStamp = string.CompareOrdinal(stampX, stampY);
        return byStamp != 0 ? byStamp : suffixX.CompareTo(suffixY);
    }

    // "…/99_pipeline_20250101_120000_2.log" → ("…/99_pipeline_20250101_120000", 2); without a suffix, 1.
    private static (string Stamp, int Suffix) Split(string? path)
    {
        var name = Path.GetFileNameWithoutExtension(path ?? "");
        var underscore = name.LastIndexOf('_');
        // The timestamp's own last part has six digits; a suffix is shorter.
        if (underscore > 0 && name.Length - underscore - 1 is > 0 and < 6
            && int.TryParse(name.AsSpan(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            return (name[..underscore], suffix);
        return (name, 1);
    }
}
