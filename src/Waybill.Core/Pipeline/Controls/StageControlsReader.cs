using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline.Controls;

/// <summary>
/// Reads the control keys of a stage, from the pipeline file or from <c>--set stage.key=value</c>, into
/// <see cref="StageControls"/>. Each problem is reported through a callback with the key it concerns; a bad value
/// leaves the control as it was.
/// </summary>
public static class StageControlsReader
{
    public static readonly IReadOnlyList<string> Keys =
        ["timeout", "retries", "threads", "memory", "gpus", "optional", "on_failure", "cache", "sample_interval"];

    private static readonly string[] RetryKeys = ["count", "backoff", "factor", "max_backoff", "exit_codes", "errors"];

    /// <summary>True for a key this reader sets.</summary>
    public static bool IsControl(string key) => Keys.Contains(key, StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="controls"/> with <paramref name="key"/> set to <paramref name="value"/>; on a bad value
    /// <paramref name="problem"/> gets (message, hint) and the controls come back unchanged.
    /// </summary>
    public static StageControls With(StageControls controls, string key, JsonNode? value, SourceLocation? at, Action<string, string?> problem)
    {
        // A value from --set (no place) no longer comes from the file: an error about it must not point there.
        var located = new Dictionary<string, SourceLocation>(controls.Locations, StringComparer.Ordinal);
        if (at is null) located.Remove(key);
        else located[key] = at;
        switch (key)
        {
            case "timeout":
                return Duration(value, "timeout", problem) is { } timeout ? controls with { Timeout = timeout, Locations = located } : controls;
            case "retries":
                return Retries(value, problem) is { } retry
                    ? controls with { Retry = retry.Count == 0 ? null : retry, Locations = located }
                    : controls;
            case "threads":
                return Count(value, "threads", 1, problem) is { } threads ? controls with { Threads = threads, Locations = located } : controls;
            case "gpus":
                return Count(value, "gpus", 0, problem) is { } gpus ? controls with { Gpus = gpus, Locations = located } : controls;
            case "memory":
                if (Text(value) is not { } sizeText) break;
                if (Quantities.ParseSize(sizeText, out var why) is { } bytes && bytes > 0)
                    return controls with { MemoryBytes = bytes, Locations = located };
                problem($"memory {why ?? "must be more than 0"}", Quantities.SizeRule);
                return controls;
            case "optional":
                if (value is JsonValue flag && flag.TryGetValue<bool>(out var optional))
                    return controls with { Optional = optional, Locations = located };
                problem($"optional must be true or false, not {Shown(value)}", null);
                return controls;
            case "cache":
                if (value is JsonValue cacheFlag && cacheFlag.TryGetValue<bool>(out var cache))
                    return controls with { Cache = cache, Locations = located };
                problem($"cache must be true or false, not {Shown(value)}", "cache: false makes the stage run every time it must run, never restored");
                return controls;
            case "sample_interval":
                return SampleInterval(value, problem) is { } interval ? controls with { SampleInterval = interval, Locations = located } : controls;
            case "on_failure":
                switch (Text(value))
                {
                    case "continue": return controls with { Optional = true, Locations = located };
                    case "fail" or "stop": return controls with { Optional = false, Locations = located };
                }
                problem($"on_failure must be 'continue' or 'fail', not {Shown(value)}", "on_failure: continue is the same as optional: true");
                return controls;
            default:
                problem($"'{key}' is not a stage control", $"controls are {string.Join(", ", Keys)}");
                return controls;
        }
        problem($"{key} must be a single value, not {Shown(value)}", null);
        return controls;
    }

    private static TimeSpan? Duration(JsonNode? value, string key, Action<string, string?> problem)
    {
        if (Text(value) is not { } text)
        {
            problem($"{key} must be a duration such as 30m, not {Shown(value)}", Quantities.DurationRule);
            return null;
        }
        var duration = Quantities.ParseDuration(text, out var why);
        if (duration is null)
        {
            problem($"{key} {why}", Quantities.DurationRule);
            return null;
        }
        if (duration <= TimeSpan.Zero)
        {
            problem($"{key} must be longer than 0, not '{text}'", key == "timeout" ? "leave timeout out for no limit" : null);
            return null;
        }
        return duration;
    }

    /// <summary>A duration from 100ms to 1h, or <c>off</c> (<see cref="TimeSpan.Zero"/>).</summary>
    private static TimeSpan? SampleInterval(JsonNode? value, Action<string, string?> problem)
    {
        const string Hint = "e.g. sample_interval: 500ms, 1s or 10s; sample_interval: off takes no samples";
        if (Text(value) is "off") return TimeSpan.Zero;
        var interval = Duration(value, "sample_interval", (message, _) => problem(message, Hint));
        if (interval is null) return null;
        if (interval >= StageControls.MinSampleInterval && interval <= StageControls.MaxSampleInterval)
            return interval;
        problem($"sample_interval must be from 100ms to 1h, not '{Text(value)}'", Hint);
        return null;
    }

    private static int? Count(JsonNode? value, string key, int least, Action<string, string?> problem)
    {
        if (value is JsonValue number && number.TryGetValue<long>(out var count) && count >= least && count <= 100_000) return (int)count;
        problem($"{key} must be a whole number of at least {least}, not {Shown(value)}", null);
        return null;
    }

    private static RetryPolicy? Retries(JsonNode? value, Action<string, string?> problem)
    {
        if (value is JsonValue)
            return Count(value, "retries", 0, problem) is { } count ? new RetryPolicy { Count = count } : null;
        if (value is not JsonObject map)
        {
            problem($"retries must be a count or a mapping, not {Shown(value)}",
                $"e.g. retries: 3, or retries: {{ {string.Join(", ", RetryKeys)} }}");
            return null;
        }
        var ok = true;
        foreach (var (key, _) in map)
        {
            if (RetryKeys.Contains(key, StringComparer.Ordinal)) continue;
            problem($"unknown key '{key}' in retries", $"allowed keys: {string.Join(", ", RetryKeys)}");
            ok = false;
        }
        void Fail(string message, string? hint = null)
        {
            problem(message, hint);
            ok = false;
        }
        int? countValue = map["count"] is null ? null : Count(map["count"], "retries.count", 0, Fail);
        if (map["count"] is null) Fail("retries needs a count", "e.g. retries: { count: 3, backoff: 10s }");
        var backoff = map["backoff"] is null ? TimeSpan.FromSeconds(1) : Duration(map["backoff"], "retries.backoff", Fail);
        var maxBackoff = map["max_backoff"] is null ? null : Duration(map["max_backoff"], "retries.max_backoff", Fail);
        double factor = 2;
        if (map["factor"] is { } f && !(Number(f) is { } given && (factor = given) >= 1 && factor <= 100))
            Fail($"retries.factor must be a number from 1 to 100, not {Shown(f)}");
        var exitCodes = new List<int>();
        foreach (var item in List(map["exit_codes"]))
        {
            if (item is JsonValue code && code.TryGetValue<long>(out var c) && c is >= 1 and <= 255) exitCodes.Add((int)c);
            else Fail($"retries.exit_codes holds {Shown(item)}, not an exit code from 1 to 255");
        }
        var patterns = new List<string>();
        foreach (var item in List(map["errors"]))
        {
            var text = Text(item);
            if (text is null)
            {
                Fail($"retries.errors holds {Shown(item)}, not a regular expression");
                continue;
            }
            try
            {
                _ = new Regex(text, RegexOptions.None, TimeSpan.FromSeconds(1));
                patterns.Add(text);
            }
            catch (ArgumentException e)
            {
                Fail($"retries.errors '{text}' is not a regular expression: {e.Message}");
            }
        }
        if (!ok || countValue is null || backoff is null) return null;
        return new RetryPolicy
        {
            Count = countValue.Value, Backoff = backoff.Value, Factor = factor, MaxBackoff = maxBackoff, ExitCodes = exitCodes,
            ErrorPatterns = patterns,
        };
    }

    private static double? Number(JsonNode node) =>
        node is JsonValue v ? v.TryGetValue<double>(out var d) ? d : v.TryGetValue<long>(out var l) ? l : null : null;

    private static JsonArray List(JsonNode? node) => node switch
    {
        null => [],
        JsonArray array => array,
        _ => [node.DeepClone()],
    };

    private static string? Text(JsonNode? value) => value is JsonValue v
        ? v.TryGetValue<string>(out var s) ? s : v.GetValueKind() is JsonValueKind.Number ? v.ToJsonString() : null
        : null;

    private static string Shown(JsonNode? value) => value is null ? "nothing" : value.ToJsonString();
}
