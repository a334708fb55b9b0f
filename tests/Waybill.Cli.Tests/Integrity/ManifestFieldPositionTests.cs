using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>
/// A field of the wrong kind inside a nested object of a stage manifest is refused at the line that holds it, by
/// <c>verify</c> and by the rerun that reads the manifest to decide, and the stage runs again.
/// </summary>
public sealed class ManifestFieldPositionTests(CheckedJob fixture) : IClassFixture<CheckedJob>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("fingerprint", "value", "42", "a string")]
    [InlineData("resources", "cpu_seconds", "\"fast\"", "a number (without quotes)")]
    public async Task Verify_points_at_the_line_of_the_value(string parent, string field, string value, string expected)
    {
        var job = Job();
        CheckedJob.EditManifest(job, "01_make", m => m[parent]![field] = JsonNode.Parse(value), reseal: true);

        var verify = await CliProcess.RunAsync(_temp.Path, "verify", job);

        Assert.Equal(1, verify.ExitCode);
        Assert.Contains($"01_make/manifest.json: field {parent}.{field} at line {LineOf(job, $"\"{field}\": {value}")}, byte ", verify.Stdout);
        Assert.Contains($"{value} is not {expected}", verify.Stdout);
    }

    [Fact]
    public async Task A_rerun_names_the_line_of_the_value_and_runs_the_stage_again()
    {
        var job = Job();
        CheckedJob.EditManifest(job, "01_make", m => m["fingerprint"]!["definition"] = 7, reseal: true);
        var line = LineOf(job, "\"definition\": 7");

        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--out", "out", "--explain");

        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains($"01_make/manifest.json: field fingerprint.definition at line {line}, byte ", run.Stdout);
        Assert.Matches(@"01_make\s+ran: previous manifest unreadable", run.Stdout);
        Assert.Equal("success", JsonNode.Parse(File.ReadAllText(Path.Combine(job, "01_make", "manifest.json")))!["status"]!.GetValue<string>());
    }

    private string Job()
    {
        CheckedJob.WritePipeline(_temp.Path);
        return fixture.CopyTo(_temp.Combine("out", "j"));
    }

    /// <summary>The 1-based line of the manifest that holds <paramref name="text"/>.</summary>
    private static int LineOf(string job, string text)
    {
        var lines = File.ReadAllLines(Path.Combine(job, "01_make", "manifest.json"));
        var index = Array.FindIndex(lines, l => l.Contains(text, StringComparison.Ordinal));
        Assert.True(index >= 0, $"{text} is not in the manifest");
        return index + 1;
    }
}
