using System.Globalization;

namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>
/// Parses the output of <c>nvidia-smi --query-gpu=index,uuid,name,utilization.gpu,memory.used --format=csv,noheader,nounits</c>:
/// one line per device, fields separated by ", ".
/// </summary>
internal static class NvidiaSmiCsv
{
    public const string Query = "index,uuid,name,utilization.gpu,memory.used";

    private const int MaxLineLength = 1024;
    private const int MaxDevices = 64;

    /// <summary>The devices in <paramref name="output"/>; lines that are not device lines (a header, an error) are left out.</summary>
    public static IReadOnlyList<GpuReading> Parse(string output)
    {
        var readings = new List<GpuReading>();
        foreach (var line in output.Split('\n'))
        {
            if (ParseLine(line) is { } reading) readings.Add(reading);
            if (readings.Count == MaxDevices) break;
        }
        return readings;
    }

    /// <summary>One device line; null when it is not one.</summary>
    public static GpuReading? ParseLine(string line)
    {
        if (line.Length > MaxLineLength) return null;
        var fields = line.Trim().Split(',', StringSplitOptions.TrimEntries);
        if (fields.Length != 5 || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out _)) return null;
        var uuid = fields[1].StartsWith("GPU-", StringComparison.Ordinal) ? fields[1] : null;
        return new GpuReading(fields[0], uuid, fields[2], Number(fields[3]), Number(fields[4]));
    }

    /// <summary>A figure, or null for <c>[N/A]</c>, <c>[Not Supported]</c>, <c>[Unknown Error]</c> and anything else that is not a number.</summary>
    private static double? Number(string field)
    {
        var text = field.EndsWith(" %", StringComparison.Ordinal) ? field[..^2]
            : field.EndsWith(" MiB", StringComparison.Ordinal) ? field[..^4]
            : field;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0
            ? value
            : null;
    }
}
