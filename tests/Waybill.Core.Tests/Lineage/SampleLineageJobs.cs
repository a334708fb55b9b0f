using Waybill.Core.Jobs;
using Waybill.Core.Lineage;
using Waybill.Core.Manifests;

namespace Waybill.Core.Tests.Lineage;

/// <summary>
/// A subtitle-like job: 01_demux reads an external movie and keeps one of two intermediates, 02_transcribe reads the
/// audio (one of its outputs later deleted by clean), 03_translate failed, 04_mux was skipped, 05_report never started.
/// </summary>
public static class SampleLineageJobs
{
    public static readonly DateTimeOffset DeletedAt = new(2025, 11, 20, 9, 30, 0, TimeSpan.Zero);

    public static string MoviePath(string outDir) => Path.Combine(Path.GetDirectoryName(outDir)!, "media", "movie.mp4");

    public static LineageJob Movie(string outDir, string jobId = "movie")
    {
        var job = new LineageJob(Path.Combine(outDir, jobId));
        var movie = LineageJob.File(MoviePath(outDir), "movie bytes", name: "movie", location: "external");
        var audio = LineageJob.File("01_demux/audio.wav", "audio samples", name: "audio");
        var demux = job.Stage("01_demux", [movie], [audio], seconds: 3.25);
        var kept = LineageJob.File("01_demux/chunks/part-001.wav", "chunk");
        kept.Retained = true;
        kept.Reason = "debug";
        var dropped = LineageJob.File("01_demux/tmp.raw", "tmp");
        dropped.Retained = false;
        demux.IntermediateFiles = [kept, dropped];
        var transcript = LineageJob.File("02_transcribe/transcript.json", "transcript text", name: "transcript");
        var words = LineageJob.File("02_transcribe/words.json", "word timings", name: "words");
        words.DeletedAt = DeletedAt;
        words.DeletedReason = "disk space";
        job.Stage("02_transcribe", [LineageJob.From("01_demux", audio)], [transcript, words], seconds: 12.5);
        job.Stage("03_translate", [LineageJob.From("02_transcribe", transcript)], [LineageJob.File("03_translate/fr.json", "french")], status: "failed", reason: "exit code 1", seconds: 0.4);
        job.Stage("04_mux", [LineageJob.From("01_demux", audio)], [], status: "skipped", reason: "upstream failed: 03_translate", seconds: 0);
        job.Stage("05_report", status: "pending", seconds: 0);
        return job.Write(withoutManifest: "05_report");
    }

    public static LineageGraph Load(LineageJob job, CrossJobIndex? otherJobs = null) => LineageLoader.Load(new JobLayout(job.Root), otherJobs);

    public static T Node<T>(this LineageGraph graph, string key) where T : LineageNode =>
        graph.Find(key) as T ?? throw new InvalidOperationException($"no {typeof(T).Name} {key}; nodes: {string.Join(", ", graph.Nodes.Select(n => n.Key))}");

    public static IReadOnlyList<string> Keys(this LineageView view) => [.. view.Nodes.Select(n => n.Key)];

    public static FileRecord Output(this StageManifest stage, int index = 0) => stage.Outputs[index];
}
