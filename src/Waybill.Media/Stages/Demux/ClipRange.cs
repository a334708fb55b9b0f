using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.Demux;

/// <summary>The part of the input to extract, from config <c>start</c> and <c>end</c> (seconds; null means none).</summary>
public sealed record ClipRange(double? Start, double? End)
{
    public bool IsWhole => Start is null && End is null;

    /// <summary>
    /// Reads and checks <c>start</c>/<c>end</c>: numbers of seconds, or strings such as <c>"90"</c> or <c>"1:02:03.5"</c>;
    /// null or an empty string means not set. Every problem fails with the config key and what to write instead.
    /// </summary>
    public static ClipRange FromConfig(JsonNode? start, JsonNode? end, double? duration, string file)
    {
        var s = Seconds("start", start);
        var e = Seconds("end", end);
        if (s is < 0) throw new StageFailedException($"config 'start' is {Format(s.Value)}: it must be 0 or more seconds");
        if (e is < 0) throw new StageFailedException($"config 'end' is {Format(e.Value)}: it must be 0 or more seconds");
        if (s is { } a && e is { } b && b <= a)
            throw new StageFailedException($"config 'end' ({Format(b)} s) must be after config 'start' ({Format(a)} s); set end to a later time or to null for the end of the file");
        if (e is 0) throw new StageFailedException("config 'end' is 0: nothing would be extracted; set it to a later time or to null for the end of the file");
        if (s is { } first && duration is { } length && first >= length)
            throw new StageFailedException($"config 'start' ({Format(first)} s) is not before the end of {file} (duration {Format(length)} s); set a smaller start or null");
        // start 0 is the same as no start: ffmpeg then reads from the very first sample.
        return new ClipRange(s is 0 ? null : s, e);
    }

    /// <summary>The length of the extract, when known.</summary>
    public double? Length(double? duration)
    {
        var to = End is { } e && duration is { } d ? Math.Min(e, d) : End ?? duration;
        return to is null ? null : to - (Start ?? 0);
    }

    private static double? Seconds(string key, JsonNode? node)
    {
        if (node is null) return null;
        if (node is not JsonValue value)
            throw new StageFailedException($"config '{key}' is {node.ToJsonString()}, not a number of seconds; write e.g. {key}: 90 or {key}: \"1:30\"");
        if (value.GetValueKind() == JsonValueKind.Number) return double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture);
        if (value.GetValueKind() == JsonValueKind.String)
        {
            var text = value.GetValue<string>().Trim();
            if (text.Length == 0 || text is "null" or "~") return null;
            if (Parse(text) is { } parsed) return parsed;
        }
        throw new StageFailedException($"config '{key}' is {node.ToJsonString()}, not a number of seconds; write e.g. {key}: 90 or {key}: \"1:30\"");
    }

    /// <summary><c>90</c>, <c>90.5</c>, <c>1:30</c>, <c>01:02:03.5</c> → seconds; null when it is none of these.</summary>
    internal static double? Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length > 3) return null;
        double total = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            if (!double.TryParse(parts[i], NumberStyles.AllowDecimalPoint | (i == 0 ? NumberStyles.AllowLeadingSign : NumberStyles.None), CultureInfo.InvariantCulture, out var part)) return null;
            if (i > 0 && (part < 0 || part >= 60)) return null;
            if (!last && part != Math.Floor(part)) return null;
            total = total * 60 + (total < 0 ? -part : part);
        }
        return total;
    }

    internal static string Format(double seconds) => seconds.ToString("0.###", CultureInfo.InvariantCulture);
}
