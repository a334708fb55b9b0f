using System.Text.Json;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Reads a <c>verbose_json</c> transcription (OpenAI and compatible servers): <c>text</c>, <c>segments</c> with
/// <c>start</c>/<c>end</c>/<c>avg_logprob</c>, and <c>words</c> with <c>word</c>/<c>start</c>/<c>end</c> at the top level
/// or inside each segment. Times are relative to the uploaded clip.
/// </summary>
public static class OpenAiVerboseJson
{
    public sealed record Result(string Text, List<Word> Words, int EstimatedWords);

    /// <exception cref="JsonException">The body is not JSON of that shape.</exception>
    public static Result Parse(string json, double clipDuration)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new JsonException($"expected a JSON object, got {root.ValueKind}");
        var text = root.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : "";

        var segments = new List<(double Start, double End, string Text, double? Confidence, List<Word> Words)>();
        if (root.TryGetProperty("segments", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var s in list.EnumerateArray())
            {
                // Whisper's segment confidence: the mean log probability of its tokens.
                double? confidence = Number(s, "avg_logprob") is { } logprob ? Math.Exp(Math.Min(0, logprob)) : null;
                var words = s.TryGetProperty("words", out var w) && w.ValueKind == JsonValueKind.Array ? ReadWords(w, confidence, []) : [];
                segments.Add((Number(s, "start") ?? 0, Number(s, "end") ?? 0, s.TryGetProperty("text", out var st) ? st.GetString() ?? "" : "", confidence, words));
            }
        }

        var result = new List<Word>();
        if (root.TryGetProperty("words", out var top) && top.ValueKind == JsonValueKind.Array && top.GetArrayLength() > 0)
            result = ReadWords(top, null, segments.Select(s => (s.Start, s.End, s.Confidence)).ToList());
        else
            result.AddRange(segments.SelectMany(s => s.Words));
        if (result.Count > 0) return new Result(text.Length > 0 ? text : string.Join(' ', result.Select(w => w.Text)), result, 0);

        // A server that ignores timestamp_granularities: spread each segment's text over its time, or the text over the clip.
        var estimated = segments.Count > 0
            ? segments.SelectMany(s => WordEstimator.Spread(s.Text, s.Start, s.End, Math.Round(s.Confidence ?? 0, 4))).ToList()
            : WordEstimator.Spread(text, 0, clipDuration, 0);
        return new Result(text.Length > 0 ? text : string.Join(' ', segments.Select(s => s.Text.Trim())), estimated, estimated.Count);
    }

    private static List<Word> ReadWords(JsonElement words, double? confidence, List<(double Start, double End, double? Confidence)> segments)
    {
        var result = new List<Word>();
        foreach (var w in words.EnumerateArray())
        {
            var text = (w.TryGetProperty("word", out var wt) ? wt.GetString() : null)?.Trim();
            if (string.IsNullOrEmpty(text)) continue;
            var start = Number(w, "start") ?? 0;
            var end = Number(w, "end") ?? start;
            var middle = (start + end) / 2;
            // OpenAI gives words no probability; some servers do. Otherwise the confidence of the word's segment.
            var p = Number(w, "probability") ?? confidence ?? segments.FirstOrDefault(s => middle >= s.Start && middle <= s.End).Confidence ?? 0;
            result.Add(new Word(text, start, end, Math.Round(p, 4)));
        }
        return result;
    }

    private static double? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
