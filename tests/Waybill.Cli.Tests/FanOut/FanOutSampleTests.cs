using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>samples/fanout runs as it is in the repository, and changing one of its texts reruns only that text's chain.</summary>
public sealed class FanOutSampleTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_fan_out_sample_runs_as_is_and_reruns_one_item_after_its_file_changed()
    {
        var sample = Path.Combine(CliProcess.RepoRoot, "samples", "fanout");
        foreach (var file in Directory.GetFiles(sample, "*", SearchOption.AllDirectories))
        {
            var target = _temp.Combine("fanout", Path.GetRelativePath(sample, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        var run = await CliProcess.RunAsync(_temp.Path, "run", "fanout/waybill.yaml", "--job-id", "fanout");
        Assert.True(run.ExitCode == 0, run.All);
        var job = _temp.Combine("out", "fanout");
        Assert.Equal("episode-01 19\nepisode-02 20\nepisode-03 17\ntexts: 3\n", File.ReadAllText(Path.Combine(job, "03_report", "report.txt")));
        var top = File.ReadAllLines(Path.Combine(job, "04_top", "3", "top.txt"));
        Assert.Equal(["15 the", "3 crew"], top.Take(2).Select(l => l.Trim()));
        Assert.Equal(10, File.ReadAllLines(Path.Combine(job, "04_top", "10", "top.txt")).Length);

        File.AppendAllText(_temp.Combine("fanout", "texts", "Episode 01.txt"), "One more line about the crew.\n");
        var again = await CliProcess.RunAsync(_temp.Path, "run", "fanout/waybill.yaml", "--job-id", "fanout", "--explain");
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Matches(@"01_words\[episode-01\]\s+ran: input .*Episode 01\.txt changed", again.Stdout);
        Assert.Matches(@"02_count\[episode-02\]\s+up to date", again.Stdout);
        Assert.StartsWith("episode-01 25\n", File.ReadAllText(Path.Combine(job, "03_report", "report.txt")));
    }
}
