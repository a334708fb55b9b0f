using Waybill.Media.Model;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Media.Tools;

/// <summary>Reads a media file's container and streams with ffprobe; files it cannot read fail with the reason.</summary>
public static class MediaProbe
{
    public static async Task<MediaMetadata> ProbeAsync(StageContext context, string path, CancellationToken cancellationToken)
    {
        CheckFile(path);
        var json = new StringBuilder();
        var run = await FfmpegRun.RunAsync(context, "ffprobe",
            ["-loglevel", "level+error", "-print_format", "json", "-show_error", "-show_format", "-show_streams", path],
            line => json.AppendLine(line), cancellationToken);
        var text = json.ToString();
        if (run.ExitCode != 0 || HasError(text))
        {
            var reason = run.Errors.Count > 0 ? run.ErrorSummary : ErrorString(text) ?? run.LastError;
            if (LooksLikeText(path))
                throw new StageFailedException($"{path} is not a media file ffprobe can read: it looks like a text file (ffprobe: {reason}); give a video or audio file");
            throw new StageFailedException($"{path} is not a media file ffprobe can read (ffprobe: {reason}); the file may be truncated or damaged: copy or download it again");
        }
        try
        {
            return Parse(text, path);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new StageFailedException($"ffprobe's output for {path} could not be read: {e.Message}", e);
        }
    }

    /// <summary>Fails early, with a plain reason, for a path that is missing, a folder, or empty.</summary>
    public static void CheckFile(string path)
    {
        if (Directory.Exists(path))
            throw new StageFailedException($"{path} is a folder, not a media file; set config 'video' to the video file (--set video=/path/to/movie.mp4)");
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new StageFailedException($"{path} does not exist; check config 'video'");
        if (info.Length == 0)
            throw new StageFailedException($"{path} is empty (0 bytes); the copy or download did not finish: get the file again");
    }

    /// <summary>Turns ffprobe's <c>-show_format -show_streams</c> JSON into <see cref="MediaMetadata"/>.</summary>
    public static MediaMetadata Parse(string json, string path)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var streams = new List<StreamInfo>();
        if (root.TryGetProperty("streams", out var list))
        {
            foreach (var s in list.EnumerateArray())
            {
                var tags = s.TryGetProperty("tags", out var t) ? t : default;
                var language = Tag(tags, "language");
                streams.Add(new StreamInfo
                {
                    Index = s.GetProperty("index").GetInt32(),
                    Type = String(s, "codec_type") ?? "unknown",
                    Codec = String(s, "codec_name"),
                    Language = language is null or "und" ? null : language,
                    Title = Tag(tags, "title"),
                    HandlerName = Tag(tags, "handler_name"),
                    Default = Flag(s, "default"),
                    CoverArt = Flag(s, "attached_pic") ? true : null,
                    Channels = Int(s, "channels"),
                    SampleRate = Int(s, "sample_rate"),
                    Width = Int(s, "width"),
                    Height = Int(s, "height"),
                    FrameRate = Rate(String(s, "avg_frame_rate")) ?? Rate(String(s, "r_frame_rate")),
                    Duration = Double(s, "duration"),
                });
            }
        }
        var format = root.TryGetProperty("format", out var f) ? f : default;
        // Cover art in audio files shows up as a video stream marked attached_pic; it is not video.
        var hasVideo = streams.Exists(s => s.Type == "video" && s.CoverArt != true);
        return new MediaMetadata
        {
            FileName = System.IO.Path.GetFileName(path),
            Path = path,
            SizeBytes = new FileInfo(path).Length,
            Format = format.ValueKind == JsonValueKind.Object ? String(format, "format_name") ?? "unknown" : "unknown",
            FormatLongName = format.ValueKind == JsonValueKind.Object ? String(format, "format_long_name") : null,
            Duration = format.ValueKind == JsonValueKind.Object ? Double(format, "duration") : null,
            BitRate = format.ValueKind == JsonValueKind.Object && Double(format, "bit_rate") is { } rate ? (long)rate : null,
            HasVideo = hasVideo,
            Streams = streams,
        };
    }

    /// <summary>A short list of the streams for messages: <c>video h264, audio aac (eng)</c>.</summary>
    public static string Describe(IEnumerable<StreamInfo> streams)
    {
        var parts = streams.Select(s => $"{s.Type} {s.Codec ?? "unknown"}{(s.Language is null ? "" : $" ({s.Language})")}").ToList();
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    /// <summary>True when the first 4 KiB decode as UTF-8 text with no control characters but whitespace.</summary>
    public static bool LooksLikeText(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var buffer = new byte[4096];
            var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read == 0) return false;
            // A cut may split a multi-byte character at the end of the buffer; drop up to 3 trailing bytes of it.
            var span = buffer.AsSpan(0, read);
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(span);
            }
            catch (DecoderFallbackException)
            {
                if (read < buffer.Length) return false;
                text = new UTF8Encoding(false, true).GetString(span[..TrimPartial(span)]);
            }
            return text.All(c => !char.IsControl(c) || c is '\n' or '\r' or '\t' or '\f');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            return false;
        }
    }

    private static int TrimPartial(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.Length;
        for (var i = 0; i < 3 && end > 0 && (bytes[end - 1] & 0xC0) == 0x80; i++) end--;
        return end > 0 && bytes[end - 1] >= 0xC0 ? end - 1 : end;
    }

    private static bool HasError(string json) => ErrorString(json) is not null;

    private static string? ErrorString(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
            return document.RootElement.TryGetProperty("error", out var error) ? String(error, "string") ?? "unknown error" : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Tag(JsonElement tags, string name)
    {
        if (tags.ValueKind != JsonValueKind.Object) return null;
        // Tag names differ in case between containers (LANGUAGE in some Matroska files).
        foreach (var property in tags.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String)
                return property.Value.GetString();
        return null;
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number) return value.TryGetInt32(out var number) ? number : null;
        return value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    private static double? Double(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value)) return null;
        if (value.ValueKind == JsonValueKind.Number) return value.GetDouble();
        return value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    private static bool Flag(JsonElement stream, string name) =>
        stream.TryGetProperty("disposition", out var disposition) && disposition.ValueKind == JsonValueKind.Object &&
        disposition.TryGetProperty(name, out var flag) && flag.ValueKind == JsonValueKind.Number && flag.GetInt32() == 1;

    /// <summary><c>24000/1001</c> → 23.976; <c>0/0</c> → null.</summary>
    private static double? Rate(string? fraction)
    {
        if (fraction is null) return null;
        var slash = fraction.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0) return double.TryParse(fraction, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain) && plain > 0 ? plain : null;
        if (!double.TryParse(fraction[..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out var num) ||
            !double.TryParse(fraction[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var den) || den == 0 || num == 0)
            return null;
        return Math.Round(num / den, 3);
    }
}
