using Waybill.Cli.Tests.Support;
using Waybill.Media.Sample;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles.Whisper;

/// <summary>
/// One <c>waybill subtitle</c> on the generated sample with a tiny generated Whisper model as <c>ggml-tiny.bin</c> in the
/// model folder, and a glossary: the default backend (auto) picks Whisper, which decodes every speech region.
/// </summary>
public sealed class WhisperJobFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public GeneratedSample Sample { get; private set; } = null!;
    public CliProcess.Result Run { get; private set; } = null!;
    public string ModelPath { get; private set; } = "";
    public string Job => _temp.Combine("out", "whisper");
    public static readonly string[] Terms = ["Gandalf", "Rivendell"];

    public async ValueTask InitializeAsync()
    {
        Sample = await SampleGenerator.GenerateAsync(_temp.Combine("sample"), new SampleOptions());
        var models = new WhisperModelFolder(_temp);
        ModelPath = models.Add("tiny");
        var glossary = _temp.Write("glossary.csv", string.Join('\n', Terms) + "\n");
        Run = await CliProcess.RunAsync(_temp.Path, models.Environment, "subtitle", Sample.Video, "--job-id", "whisper", "--out", "out", "--glossary", glossary);
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
