using Waybill.Media.Model;
using Waybill.Media.Tools;
using Waybill.Media.Stages.Demux;

namespace Waybill.Media.Stages.Mux;

/// <summary>One subtitle file to add, with its language as ISO 639-2 (<c>eng</c>) and a track title (<c>English</c>).</summary>
public sealed record SubtitleInput(string Srt, string Language, string? Title);

/// <summary>
/// How 12_mux builds the subtitled video: which container, which subtitle codec, and ffmpeg's arguments.
/// MP4/MOV/M4V keep their container with mov_text subtitles (the only text subtitles MP4 players read); MKV gets
/// SubRip. Other containers (AVI, WebM, …) cannot carry these tracks well, so the result is Matroska.
/// </summary>
public sealed record MuxPlan(string OutputName, string Muxer, string SubtitleCodec, string? Warning)
{
    /// <summary>The plan for <paramref name="originalName"/>: <c>Movie.mp4</c> → <c>Movie.subtitled.mp4</c>.</summary>
    public static MuxPlan For(string originalName)
    {
        var stem = Path.GetFileNameWithoutExtension(originalName);
        var extension = Path.GetExtension(originalName).ToLowerInvariant();
        return extension switch
        {
            ".mp4" or ".m4v" => new($"{stem}.subtitled{Path.GetExtension(originalName)}", "mp4", "mov_text", null),
            ".mov" => new($"{stem}.subtitled{Path.GetExtension(originalName)}", "mov", "mov_text", null),
            ".mkv" => new($"{stem}.subtitled{Path.GetExtension(originalName)}", "matroska", "srt", null),
            _ => new($"{stem}.subtitled.mkv", "matroska", "srt",
                $"{originalName} is {(extension.Length > 0 ? extension[1..].ToUpperInvariant() : "a file without extension")}, which cannot hold SubRip/mov_text subtitle tracks; writing Matroska instead: {stem}.subtitled.mkv"),
        };
    }

    /// <summary>MP4, M4V and MOV: the QuickTime family, with handler names for titles and mov_text subtitles.</summary>
    public bool IsQuickTime => Muxer is "mp4" or "mov";

    /// <summary>
    /// The language as the container stores it: ISO 639-2 (<c>deu</c>); MOV keeps only the codes of QuickTime's own
    /// table, which has several languages under their bibliographic code (<c>ger</c>).
    /// </summary>
    public string LanguageTag(string iso6392) => Muxer == "mov" ? IsoLanguage.ToQuickTime(iso6392) ?? iso6392 : iso6392;

    /// <summary>The codec name ffprobe reports for <see cref="SubtitleCodec"/>.</summary>
    public string ProbedSubtitleCodec => SubtitleCodec == "srt" ? "subrip" : SubtitleCodec;

    /// <summary>
    /// ffmpeg's arguments: every stream of the original is copied as it is (<c>-map 0 -c copy</c>); the new subtitle
    /// streams come after the <paramref name="existingSubtitles"/> the original already has, and only they are encoded.
    /// </summary>
    public List<string> Arguments(string video, IReadOnlyList<SubtitleInput> subtitles, int existingSubtitles, string output)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+info", "-y", "-i", video };
        foreach (var subtitle in subtitles) args.AddRange(["-i", subtitle.Srt]);
        args.AddRange(["-map", "0"]);
        for (var i = 0; i < subtitles.Count; i++) args.AddRange(["-map", $"{i + 1}:s:0"]);
        args.AddRange(["-ignore_unknown", "-c", "copy"]);
        for (var i = 0; i < subtitles.Count; i++)
        {
            var n = (existingSubtitles + i).ToString(System.Globalization.CultureInfo.InvariantCulture);
            args.AddRange([$"-c:s:{n}", SubtitleCodec, $"-metadata:s:s:{n}", $"language={LanguageTag(subtitles[i].Language)}"]);
            if (subtitles[i].Title is not { } title) continue;
            // MP4 and MOV have no title tag: players show the track's handler name instead (ffmpeg 5.1 drops title= there).
            args.AddRange([$"-metadata:s:s:{n}", IsQuickTime ? $"handler_name={title}" : $"title={title}"]);
        }
        if (IsQuickTime) args.AddRange(["-movflags", "+faststart"]);
        args.AddRange(["-f", Muxer, output]);
        return args;
    }

    /// <summary>Checks the result against the original: what is wrong, or null when all is as planned.</summary>
    public string? Verify(IReadOnlyList<StreamInfo> original, IReadOnlyList<StreamInfo> result, IReadOnlyList<SubtitleInput> subtitles)
    {
        static string Kinds(IEnumerable<StreamInfo> streams) => string.Join(", ", streams.Select(s => $"{s.Type} {s.Codec}"));
        var before = original.Where(s => s.Type is "video" or "audio").ToList();
        var after = result.Where(s => s.Type is "video" or "audio").ToList();
        if (Kinds(before) != Kinds(after))
            return $"the video and audio streams changed: the original has [{Kinds(before)}], the result [{Kinds(after)}]";
        var existing = original.Count(s => s.Type == "subtitle");
        var subs = result.Where(s => s.Type == "subtitle").ToList();
        if (subs.Count != existing + subtitles.Count)
            return $"the result has {subs.Count} subtitle streams, expected {existing + subtitles.Count} ({existing} from the original + {subtitles.Count} new)";
        for (var i = 0; i < subtitles.Count; i++)
        {
            var stream = subs[existing + i];
            if (stream.Codec != ProbedSubtitleCodec)
                return $"new subtitle stream {i + 1} ({subtitles[i].Language}) is {stream.Codec}, expected {ProbedSubtitleCodec}";
            if (!IsoLanguage.SameLanguage(stream.Language ?? "und", subtitles[i].Language) && !(subtitles[i].Language == "und" && stream.Language is null)
                && !(Muxer == "mov" && stream.Language is null))
                return $"new subtitle stream {i + 1} is tagged '{stream.Language ?? "und"}', expected '{subtitles[i].Language}'";
            var title = IsQuickTime ? stream.HandlerName : stream.Title;
            if (subtitles[i].Title is { } expected && title != expected)
                return $"new subtitle stream {i + 1} ({subtitles[i].Language}) is named '{title}', expected '{expected}'";
        }
        return null;
    }

    /// <summary>
    /// What the result lacks that the container cannot hold, for a warning (not a failure): a language QuickTime's table
    /// has no code for leaves a MOV track untagged.
    /// </summary>
    public IEnumerable<string> Limitations(IReadOnlyList<StreamInfo> result, IReadOnlyList<SubtitleInput> subtitles)
    {
        if (Muxer != "mov") yield break;
        var subs = result.Where(s => s.Type == "subtitle").ToList();
        var existing = subs.Count - subtitles.Count;
        for (var i = 0; i < subtitles.Count && existing + i < subs.Count; i++)
            if (subs[existing + i].Language is null && subtitles[i].Language != "und")
                yield return $"the {subtitles[i].Title ?? subtitles[i].Language} track of the MOV file has no language tag: QuickTime's language table "
                    + $"has no code for '{subtitles[i].Language}' (an MKV or MP4 keeps it)";
    }
}
