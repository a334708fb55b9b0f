using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Waybill.Media.Stages.Alignment;
using Waybill.Media.Stages.Asr;
using Waybill.Media.Stages.Hallucinations;
using Waybill.Media.Stages.Lyrics;
using Waybill.Media.Stages.Subtitles;
using Waybill.Media.Stages.Vad;

namespace Waybill.Benchmarks;

/// <summary>
/// <c>subtitles-bare VIDEO FOLDER [MODEL]</c>: the subtitle job's work with no engine around it — the same ffmpeg
/// commands, the same Silero model, PocketSphinx decoders and algorithms, the same parallelism (ASR beside lyrics
/// detection, 2 decoders) — but no job folder, logs, manifests, checksums or resource accounting. The difference to
/// `waybill subtitle` on the same input is Waybill's own overhead (bench/scripts/subtitles-vs-bare.sh).
/// </summary>
internal static class SubtitlesBareTool
{
    public static async Task<int> RunAsync(string[] args)
    {
        var video = Path.GetFullPath(args[0]);
        var folder = Directory.CreateDirectory(args[1]).FullName;
        var model = args.Length > 2 ? args[2] : Path.Combine(Environment.GetEnvironmentVariable("WAYBILL_MODEL_DIR") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "waybill", "models"), "silero_vad.onnx");
        var clock = Stopwatch.StartNew();
        var audio = Path.Combine(folder, "audio.wav");
        Run("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", video);
        Run("ffmpeg", "-nostdin", "-y", "-v", "error", "-i", video, "-vn", "-map", "0:a:0", "-af", "aresample=async=1:first_pts=0", "-ac", "1", "-ar", "16000",
            "-c:a", "pcm_s16le", "-map_metadata", "-1", "-fflags", "+bitexact", "-flags:a", "+bitexact", audio);
        var demux = clock.Elapsed.TotalSeconds;

        double duration;
        using (var reader = new WavReader(audio)) duration = reader.DurationSeconds;
        SpeechSegments speech;
        using (var vad = new SileroVadModel(model)) speech = SileroVadDetector.Detect(vad, audio, new VadOptions(SpeechPadMs: 30)).Segments;
        var vadDone = clock.Elapsed.TotalSeconds;

        // As in the pipeline, lyrics detection runs beside speech recognition.
        var lyrics = Task.Run(() => LyricsDetector.Detect(audio, new MusicOptions()).Music);
        using var recognizer = new PocketSphinxRecognizer(PocketSphinxModel.EnglishUs, 2, NullLogger.Instance);
        await recognizer.LoadAsync(CancellationToken.None);
        var spans = await recognizer.RecognizeAsync(new SpeechAudio(audio, 16000, duration), speech.Segments, CancellationToken.None);
        var transcript = new Transcript { Backend = "pocketsphinx", Duration = duration, Segments = TranscriptAssembler.Assemble(spans, speech.Segments).Segments };
        var music = await lyrics;
        var asrDone = clock.Elapsed.TotalSeconds;

        var aligned = WordAligner.Align(transcript, speech.Segments);
        var cleaned = new HallucinationFilter(new HallucinationOptions()).Run(transcript, aligned.Timeline.Words, speech.Segments, music.Regions);
        var cues = new SubtitleBuilder(new SubtitleRules(), music.Regions).FromTranscript(cleaned.Transcript);
        var srt = Path.Combine(folder, "subtitles.srt");
        SubtitleWriter.Write(srt, SubtitleWriter.Srt(cues.Cues));
        SubtitleWriter.Write(Path.Combine(folder, "subtitles.vtt"), SubtitleWriter.Vtt(cues.Cues));
        var muxed = Path.Combine(folder, "muxed" + Path.GetExtension(video));
        if (cues.Cues.Count > 0)
        {
            Run("ffmpeg", "-nostdin", "-y", "-v", "error", "-i", video, "-i", srt, "-map", "0", "-map", "1", "-c", "copy", "-c:s", "mov_text", "-metadata:s:s:0", "language=eng", muxed);
            Run("ffprobe", "-v", "error", "-show_streams", "-of", "json", muxed);
        }
        Console.WriteLine($"bare: {clock.Elapsed.TotalSeconds:0.00} s for {duration:0.0} s of media (demux {demux:0.00}, vad {vadDone - demux:0.00}, asr+lyrics {asrDone - vadDone:0.00}, rest {clock.Elapsed.TotalSeconds - asrDone:0.00}); {speech.Segments.Count} segments, {cues.Cues.Count} cues");
        return 0;
    }

    private static void Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed with exit code {process.ExitCode}");
    }
}
