using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Media.Stages.Demux;
using Waybill.Media.Tools;

namespace Waybill.Media.Stages.Mux;

/// <summary>
/// 12_mux: adds the subtitle tracks listed in 11_subtitle_generation's tracks.json to a copy of the original video
/// (<c>&lt;name&gt;.subtitled.&lt;ext&gt;</c>), every original stream copied untouched, and checks the result with ffprobe.
/// Skipped when no track has a cue.
/// </summary>
public sealed class MuxStage : IStage
{
    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var video = context.InputPath("video");
        var tracksPath = context.InputPath("tracks");
        var tracks = MediaJson.Read<SubtitleTracks>(tracksPath);
        var usable = tracks.Tracks.Where(t => t.Cues > 0).ToList();
        if (usable.Count == 0)
        {
            context.Finalize(StageStatus.Skipped, "no subtitles to mux: no speech found");
            return;
        }
        foreach (var empty in tracks.Tracks.Where(t => t.Cues <= 0))
            context.AddWarning($"the {empty.Language} track has no cues; it is left out");

        var subtitles = Subtitles(context, usable, Path.GetDirectoryName(tracksPath)!);
        await ExternalTool.RecordVersionAsync(context, "ffmpeg", ["-version"], cancellationToken);
        await ExternalTool.RecordVersionAsync(context, "ffprobe", ["-version"], cancellationToken);
        var original = await MediaProbe.ProbeAsync(context, video, cancellationToken);

        var plan = MuxPlan.For(Path.GetFileName(video));
        if (plan.Warning is not null) context.AddWarning(plan.Warning);
        var output = Path.Combine(context.StageDir, plan.OutputName);
        var partial = Path.Combine(context.StageDir, ".partial." + plan.OutputName);
        var existing = original.Streams.Count(s => s.Type == "subtitle");
        context.AddConfig("subtitle_codec", plan.SubtitleCodec);
        context.AddConfig("container", plan.Muxer);

        context.Logger.LogInformation("Muxing {Count} subtitle track(s) ({Languages}) into {Output}", subtitles.Count, string.Join(", ", subtitles.Select(s => s.Language)), plan.OutputName);
        var watch = Stopwatch.StartNew();
        try
        {
            var run = await FfmpegRun.RunAsync(context, "ffmpeg", plan.Arguments(video, subtitles, existing, partial), cancellationToken);
            if (run.ExitCode != 0)
                throw new StageFailedException($"ffmpeg could not add the subtitles to {video} (exit code {run.ExitCode}): {run.ErrorSummary}");
            var result = await MediaProbe.ProbeAsync(context, partial, cancellationToken);
            if (plan.Verify(original.Streams, result.Streams, subtitles) is { } problem)
                throw new StageFailedException($"the muxed video is not what was planned: {problem}; the original is {video}");
            foreach (var limitation in plan.Limitations(result.Streams, subtitles)) context.AddWarning(limitation);
            File.Move(partial, output, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
        var seconds = watch.Elapsed.TotalSeconds;

        context.TrackOutput(output, "video", Path.GetExtension(output).TrimStart('.').ToLowerInvariant(), new Dictionary<string, object?>
        {
            ["container"] = plan.Muxer,
            ["subtitle_codec"] = plan.ProbedSubtitleCodec,
            ["subtitle_languages"] = subtitles.Select(s => s.Language).ToList(),
            ["subtitle_titles"] = subtitles.Select(s => s.Title).ToList(),
            ["streams_copied"] = original.Streams.Count,
        }, name: "video");
        context.SetResource("mux_seconds", Math.Round(seconds, 3));
        context.Logger.LogInformation("Wrote {Output} with {Count} new subtitle track(s) in {Seconds:0.0} s", plan.OutputName, subtitles.Count, seconds);
    }

    /// <summary>The SRT files (relative to the folder of tracks.json), tracked as inputs; a missing one fails the stage.</summary>
    private static List<SubtitleInput> Subtitles(StageContext context, List<SubtitleTrack> tracks, string folder)
    {
        var result = new List<SubtitleInput>();
        foreach (var track in tracks)
        {
            if (string.IsNullOrWhiteSpace(track.Srt))
                throw new StageFailedException($"tracks.json has no srt path for the {track.Language} track; 11_subtitle_generation must write it");
            var srt = Path.GetFullPath(track.Srt, folder);
            if (!File.Exists(srt))
                throw new StageFailedException($"the {track.Language} track's subtitles are missing: {srt} (listed in tracks.json as '{track.Srt}')");
            var language = IsoLanguage.ToIso6392(track.Language);
            if (language is null) context.AddWarning($"'{track.Language}' is not a language code; the track is tagged 'und' (undetermined)");
            context.TrackInput(srt, "subtitles", "srt", new Dictionary<string, object?> { ["language"] = track.Language, ["cues"] = track.Cues });
            result.Add(new SubtitleInput(srt, language ?? "und", IsoLanguage.Name(track.Language)));
        }
        return result;
    }
}
