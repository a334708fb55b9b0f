using Waybill.Core.Execution;
using Waybill.Core.Pipeline;
using Waybill.Media.Model;
using Waybill.Media.Stages.Asr;
using Waybill.Tests.Support;

namespace Waybill.Media.Tests.Asr;

/// <summary>Runs 06_asr as a one-stage pipeline over an audio file and hand-made VAD segments, in a fresh job folder.</summary>
public sealed class AsrJob : IDisposable
{
    private readonly TempFolder _folder = new();

    public string Folder => _folder.Path;
    public RunResult Result { get; private set; } = null!;
    public StageOutcome Stage => Result.Stages.Single();
    public string StageDir => Path.Combine(Result.JobDir, "06_asr");
    public string StageLog => File.ReadAllText(Path.Combine(StageDir, "stage.log"));
    public string ManifestText => File.ReadAllText(Path.Combine(StageDir, "manifest.json"));
    public Transcript Transcript => MediaJson.Read<Transcript>(Path.Combine(StageDir, "segments.json"));
    public AsrTranscript Summary => MediaJson.Read<AsrTranscript>(Path.Combine(StageDir, "transcript.json"));

    public async Task<AsrJob> RunAsync(string audio, IReadOnlyList<SpeechSegment> segments, IReadOnlyDictionary<string, object?> config,
        string? vocals = null, IReadOnlyDictionary<string, string>? env = null, int? threads = null, CancellationToken cancellationToken = default)
    {
        var speech = _folder.Combine("segments.json");
        MediaJson.Write(speech, new SpeechSegments { SampleRate = 16000, Segments = [.. segments] });
        var builder = new PipelineBuilder("asr-test", _folder.Path).Config("language", "en");
        foreach (var (name, value) in env ?? new Dictionary<string, string>()) builder.Env(name, value);
        builder.Stage("06_asr", () => new AsrStage(), s =>
        {
            s.ExternalInput("audio", audio, "audio", "wav").ExternalInput("speech", speech, "speech_segments", "json");
            if (vocals is not null) s.ExternalInput("vocals", vocals, "audio", "wav");
            s.Output("segments", "segments.json", "transcript_segments", "json").Output("transcript", "transcript.json", "transcript", "json");
            foreach (var (key, value) in config) s.Config(key, value);
            if (threads is not null) s.Controls(c => c with { Threads = threads });
        });
        // As many cores as the stage asks for, whatever the machine has.
        var resources = new Core.Execution.Resources.RunResources(Math.Max(threads ?? 1, Environment.ProcessorCount), 1L << 40, []);
        Result = await PipelineRunner.RunAsync(builder.Build(),
            new RunOptions { JobId = "asr", OutputRoot = _folder.Combine("out"), MaxParallel = 1, Console = null, Resources = resources },
            cancellationToken);
        return this;
    }

    public double Resource(string key) => Stage.Manifest.Resources.Extra![key].GetDouble();

    public void Dispose() => _folder.Dispose();
}
