using Waybill.Cli.Tests.Support;
using Waybill.Media.Sample;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>One run of <c>waybill subtitle</c> on the generated sample, shared by the tests that read its job folder.</summary>
public sealed class SubtitleJobFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    public GeneratedSample Sample { get; private set; } = null!;
    public CliProcess.Result Run { get; private set; } = null!;
    public string Job => _temp.Combine("out", "sample");
    public string Folder => _temp.Path;

    public async ValueTask InitializeAsync()
    {
        Sample = await SampleGenerator.GenerateAsync(_temp.Combine("sample"), new SampleOptions());
        Run = await CliProcess.RunAsync(_temp.Path, "subtitle", Sample.Video, "--job-id", "sample", "--out", "out");
    }

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
