using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Core.Hashing;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>verify and the job journal, which no checksum seals: a run that ended leaves none worth reading.</summary>
public sealed class VerifyJournalTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_edited_stage_manifest_with_a_hand_written_journal_line_after_the_run_ended_fails_verify()
    {
        _temp.Write("waybill.yaml", """
            name: sealed
            stages:
              - id: 01_make
                run: echo made > {out.text}
                outputs: { text: text.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        var job = JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "j", "manifest.json")))!.AsObject();
        var entry = job["stages"]!.AsArray().Single()!.AsObject();
        var stagePath = _temp.Combine("out", "j", "01_make", "manifest.json");
        var stage = JsonNode.Parse(File.ReadAllText(stagePath))!.AsObject();
        stage["host"] = "somewhere-else";
        File.WriteAllText(stagePath, stage.ToJsonString());
        // The journal line that would reseal it: the entry as recorded, with the edited manifest's checksum.
        var line = entry.DeepClone().AsObject();
        line["v"] = 1;
        line["run_id"] = (string?)job["run_id"];
        line["manifest_checksum"] = FileHasher.Compute(stagePath, ChecksumAlgorithm.XxHash128);
        File.WriteAllText(_temp.Combine("out", "j", ".waybill", "journal.jsonl"), line.ToJsonString() + "\n");

        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "j", "--json");

        Assert.True(verify.ExitCode == 1, verify.All);
        var findings = JsonNode.Parse(verify.Stdout)!["findings"]!.AsArray();
        var journal = Assert.Single(findings, f => (string?)f!["kind"] == "journal_left_over")!;
        Assert.Equal("error", (string?)journal["severity"]);
        Assert.Equal(".waybill/journal.jsonl", (string?)journal["path"]);
        Assert.Contains("(01_make) of a run that ended 'success'", (string?)journal["message"], StringComparison.Ordinal);
        // Not replayed: the edited manifest is measured against the seal manifest.json holds.
        var changed = Assert.Single(findings, f => (string?)f!["kind"] == "manifest_changed")!;
        Assert.Equal("01_make", (string?)changed["stage"]);
    }
}
