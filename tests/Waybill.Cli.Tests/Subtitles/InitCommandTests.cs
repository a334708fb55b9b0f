using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

public sealed class InitCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Init_writes_the_shipped_pipeline_which_validates_and_is_not_overwritten()
    {
        var first = await CliProcess.RunAsync(_temp.Path, "init", "subtitles", "my job");
        Assert.True(first.ExitCode == 0, first.All);
        var written = _temp.Combine("my job", "waybill.yaml");
        Assert.Equal(File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "samples", "subtitles", "waybill.yaml")), File.ReadAllText(written));

        var validate = await CliProcess.RunAsync(_temp.Path, "validate", written, "--set", "video=x.mp4");
        Assert.True(validate.ExitCode == 0, validate.All);
        Assert.Contains("01_demux → ", validate.Stdout, StringComparison.Ordinal);

        var again = await CliProcess.RunAsync(_temp.Path, "init", "subtitles", "my job");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.All, StringComparison.Ordinal);
    }
}
