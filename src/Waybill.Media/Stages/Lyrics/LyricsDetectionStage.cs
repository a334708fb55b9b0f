using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Lyrics;

/// <summary>
/// 08_lyrics_detection: music and singing regions from the audio's spectral flatness, pitch stability and energy
/// (<see cref="MusicScorer"/>). Writes <c>music</c> (<see cref="MusicRegions"/>); each region is logged with how much
/// of it VAD called speech (sung lines usually are).
/// </summary>
public sealed class LyricsDetectionStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var options = new MusicOptions(
            context.GetConfig("threshold", 0.6),
            context.GetConfig("min_region_seconds", 1.5),
            context.GetConfig("smoothing_seconds", 1.0));
        if (options.Problem() is { } problem) throw new StageFailedException($"config of {context.StageId}: {problem}");
        context.AddConfig("threshold", options.Threshold);
        context.AddConfig("min_region_seconds", options.MinRegionSeconds);
        context.AddConfig("smoothing_seconds", options.SmoothingSeconds);

        var speech = context.Definition.Inputs.Any(i => i.Name == "speech") && context.HasInput("speech")
            ? MediaJson.Read<SpeechSegments>(context.InputPath("speech")).Segments
            : [];

        var audio = context.InputPath("audio");
        context.Logger.LogInformation("Looking for music in {Path} (threshold {Threshold}, regions of at least {Min} s)", audio, options.Threshold, options.MinRegionSeconds);
        var analysis = LyricsDetector.Detect(audio, options, cancellationToken);

        foreach (var region in analysis.Music.Regions)
        {
            var inSpeech = Overlap(region.Start, region.End, speech);
            context.Logger.LogInformation("Music {Start:0.00}-{End:0.00} s ({Length:0.0} s, score {Score:0.00}, {Speech:P0} inside VAD speech)",
                region.Start, region.End, region.End - region.Start, region.Score, inSpeech / (region.End - region.Start));
        }

        var output = context.OutputPath("music");
        MediaJson.Write(output, analysis.Music);
        context.TrackOutput(output, "music_regions", "json", new Dictionary<string, object?>
        {
            ["region_count"] = analysis.Music.Regions.Count,
            ["music_seconds"] = Math.Round(analysis.MusicSeconds, 3),
            ["frames"] = analysis.Frames.Count,
        }, name: "music");
        context.SetResource("audio_seconds", Math.Round(analysis.AudioSeconds, 3));
        context.SetResource("real_time_factor", Math.Round(analysis.RealTimeFactor, 5));
        context.Logger.LogInformation("{Count} music regions, {Music:0.0} s of {Total:0.0} s; {Frames} frames in {Elapsed:0.00} s (real-time factor {Rtf:0.0000})",
            analysis.Music.Regions.Count, analysis.MusicSeconds, analysis.AudioSeconds, analysis.Frames.Count, analysis.ProcessingSeconds, analysis.RealTimeFactor);
        return Task.CompletedTask;
    }

    private static double Overlap(double start, double end, List<SpeechSegment> speech) =>
        speech.Sum(s => Math.Max(0, Math.Min(end, s.End) - Math.Max(start, s.Start)));
}
