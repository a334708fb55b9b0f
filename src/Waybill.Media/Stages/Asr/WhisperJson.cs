using System.Text.Json;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Reads the JSON that whisper-style command-line tools write, telling the format by its shape:
/// WhisperX / openai-whisper (<c>{"segments":[{"start","end","text","words":[{"word","start","end","score"}]}]}</c>, seconds)
/// and whisper.cpp <c>-oj</c> / <c>-ojf</c> (<c>{"transcription":[{"offsets":{"from","to"},"text","tokens":[…]}]}</c>, milliseconds).
/// </summary>
public static class WhisperJson
{
    public sealed record Result(string Format, List<RecognizedSpan> Spans, int EstimatedWords)
    {
        /// <summary>The language the tool says it heard (<c>de</c>), when it says one: <c>language</c>, or whisper.cpp's <c>result.language</c>.</summary>
        public string? Language { get; init; }
    }

    public static Result Parse(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            using var document = JsonDocument.Parse(stream);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("transcription", out var transcription) && transcription.ValueKind == JsonValueKind.Array)
                return WhisperCpp(transcription) with { Language = LanguageOf(root.TryGetProperty("result", out var result) ? result : default) };
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("segments", out var segments) && segments.ValueKind == JsonValueKind.Array)
                return WhisperX(segments) with { Language = LanguageOf(root) };
            var keys = root.ValueKind == JsonValueKind.Object ? string.Join(", ", root.EnumerateObject().Select(p => p.Name)) : root.ValueKind.ToString();
            throw new StageFailedException($"{path} is neither WhisperX JSON (a 'segments' list) nor whisper.cpp JSON (a 'transcription' list); it has: {keys}");
        }
        catch (JsonException e)
        {
            throw new StageFailedException($"{path} is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new StageFailedException($"{path}: unexpected value in the transcript JSON: {e.Message}", e);
        }
    }

    /// <summary>A code (<c>de</c>) or an English name (<c>german</c>) as an ISO code; null when absent or not a language.</summary>
    private static string? LanguageOf(JsonElement owner) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty("language", out var value) && value.ValueKind == JsonValueKind.String
            ? RecognizedLanguage.Normalize(value.GetString())
            : null;

    private static Result WhisperX(JsonElement segments)
    {
        var spans = new List<RecognizedSpan>();
        var estimated = 0;
        foreach (var segment in segments.EnumerateArray())
        {
            var start = segment.GetProperty("start").GetDouble();
            var end = segment.GetProperty("end").GetDouble();
            var text = segment.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
            var words = new List<Word>();
            if (segment.TryGetProperty("words", out var list) && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() > 0)
            {
                var pending = new List<string>();
                foreach (var word in list.EnumerateArray())
                {
                    var w = (word.GetProperty("word").GetString() ?? "").Trim();
                    if (w.Length == 0) continue;
                    // WhisperX leaves numbers and symbols it cannot align without times; they are placed between their neighbours.
                    if (!Number(word, "start", out var ws) || !Number(word, "end", out var we))
                    {
                        pending.Add(w);
                        continue;
                    }
                    estimated += Flush(pending, words, words.Count > 0 ? words[^1].End : start, ws);
                    var confidence = Number(word, "score", out var score) || Number(word, "probability", out score) ? score : 0;
                    words.Add(new Word(w, ws, we, Math.Round(confidence, 4)));
                }
                estimated += Flush(pending, words, words.Count > 0 ? words[^1].End : start, end);
            }
            else if (text.Trim().Length > 0)
            {
                words = WordEstimator.Spread(text, start, end, 0);
                estimated += words.Count;
            }
            if (words.Count > 0) spans.Add(new RecognizedSpan(null, start, end, text.Trim(), words));
        }
        return new Result("whisperx", spans, estimated);
    }

    private static int Flush(List<string> pending, List<Word> words, double from, double to)
    {
        if (pending.Count == 0) return 0;
        var spread = WordEstimator.Spread(string.Join(' ', pending), from, Math.Max(from, to), 0);
        words.AddRange(spread);
        pending.Clear();
        return spread.Count;
    }

    private static Result WhisperCpp(JsonElement transcription)
    {
        var spans = new List<RecognizedSpan>();
        var estimated = 0;
        foreach (var segment in transcription.EnumerateArray())
        {
            var offsets = segment.GetProperty("offsets");
            var start = offsets.GetProperty("from").GetDouble() / 1000;
            var end = offsets.GetProperty("to").GetDouble() / 1000;
            var text = segment.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
            List<Word> words;
            if (segment.TryGetProperty("tokens", out var tokens) && tokens.ValueKind == JsonValueKind.Array && tokens.GetArrayLength() > 0)
                words = TokensToWords(tokens);
            else
            {
                words = WordEstimator.Spread(text, start, end, 0);
                estimated += words.Count;
            }
            if (words.Count > 0) spans.Add(new RecognizedSpan(null, start, end, text.Trim(), words));
        }
        return new Result("whisper.cpp", spans, estimated);
    }

    /// <summary>
    /// whisper.cpp's tokens (<c>-ojf</c>) are word pieces: one that starts with a space begins a word, the others
    /// (rest of the word, punctuation) extend it. Special tokens (<c>[_BEG_]</c>, <c>[_TT_150]</c>, <c>&lt;|endoftext|&gt;</c>) are skipped.
    /// </summary>
    private static List<Word> TokensToWords(JsonElement tokens)
    {
        var words = new List<Word>();
        string? text = null;
        double start = 0, end = 0, probability = 0;
        var pieces = 0;
        void Close()
        {
            if (text is { Length: > 0 }) words.Add(new Word(text, Math.Round(start, 3), Math.Round(end, 3), Math.Round(probability / pieces, 4)));
            text = null;
        }
        foreach (var token in tokens.EnumerateArray())
        {
            var piece = token.GetProperty("text").GetString() ?? "";
            if (piece.StartsWith("[_", StringComparison.Ordinal) || piece.StartsWith("<|", StringComparison.Ordinal) || piece.Length == 0) continue;
            var offsets = token.GetProperty("offsets");
            var from = offsets.GetProperty("from").GetDouble() / 1000;
            var to = offsets.GetProperty("to").GetDouble() / 1000;
            var p = Number(token, "p", out var value) ? value : 0;
            if (text is null || piece[0] == ' ')
            {
                Close();
                text = piece.Trim();
                start = from;
                end = to;
                probability = 0;
                pieces = 0;
            }
            else
            {
                text += piece;
                end = Math.Max(end, to);
            }
            probability += p;
            pieces++;
        }
        Close();
        return words;
    }

    private static bool Number(JsonElement element, string name, out double value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetDouble(out value);
    }
}
