using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Media.Sample;
using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Subtitles.Whisper;

/// <summary>
/// A test's own folder with the sample's first 12 seconds, a model folder, and runs of <c>waybill subtitle</c> into one
/// job, so each test sees the ASR stage decide, run or fail.
/// </summary>
public sealed class WhisperAsrRun : IDisposable
{
    private readonly TempFolder _temp = new();
    private GeneratedSample? _sample;

    public WhisperAsrRun() => Models = new WhisperModelFolder(_temp);

    public WhisperModelFolder Models { get; }

    public string Job => _temp.Combine("out", "asr");

    public string Write(string name, string content) => _temp.Write(name, content);

    public string Combine(string name) => _temp.Combine(name);

    public Task<CliProcess.Result> RunAsync(params string[] extra) => RunJobAsync("asr", cache: false, extra);

    /// <summary>A run into job <paramref name="jobId"/>; with <paramref name="cache"/>, through a result cache in this folder.</summary>
    public async Task<CliProcess.Result> RunJobAsync(string jobId, bool cache, params string[] extra)
    {
        _sample ??= await SampleGenerator.GenerateAsync(_temp.Combine("sample"), new SampleOptions());
        var environment = Models.Environment;
        if (cache) environment["WAYBILL_CACHE"] = _temp.Combine("cache");
        return await CliProcess.RunAsync(_temp.Path, environment, ["subtitle", _sample.Video, "--job-id", jobId, "--out", "out", "--end", "12", .. extra]);
    }

    public JsonObject Asr => AsrOf("asr");

    public JsonObject AsrOf(string jobId) => JsonNode.Parse(File.ReadAllText(Path.Combine(_temp.Combine("out", jobId), "06_asr", "manifest.json")))!.AsObject();

    public string AsrLog => File.ReadAllText(Path.Combine(Job, "06_asr", "stage.log"));

    public void Dispose() => _temp.Dispose();
}
