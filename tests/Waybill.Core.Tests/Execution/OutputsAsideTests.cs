using Waybill.Core.Execution;
using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>What happens to a stage's declared outputs around an attempt, seen from a C# stage and from the helpers.</summary>
public sealed class OutputsAsideTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private Task<RunResult> Run(PipelineDefinition pipeline) =>
        PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1, Force = ["all"] },
            CancellationToken.None);

    [Fact]
    public async Task A_code_stage_never_sees_an_earlier_output_and_a_failed_attempt_gets_the_earlier_one_back_unclaimed()
    {
        var seen = new List<bool>();
        var attempt = 0;
        var pipeline = new PipelineBuilder("aside", _temp.Path)
            .Stage("01_make", DelegateStage.Of(async (ctx, ct) =>
            {
                attempt++;
                var path = ctx.OutputPath("made");
                seen.Add(File.Exists(path));
                await File.WriteAllTextAsync(path, $"attempt {attempt}", ct);
                ctx.TrackOutput(path, "text");
                if (attempt == 3) throw new StageFailedException("third attempt fails after writing");
            }), s => s.Output("made", "made.txt"))
            .Build();
        var made = _temp.Combine("out", "job", "01_make", "made.txt");

        Assert.Equal(StageStatus.Success, (await Run(pipeline)).Status);
        Assert.Equal(StageStatus.Success, (await Run(pipeline)).Status);
        Assert.Equal("attempt 2", File.ReadAllText(made));
        Assert.Equal(StageStatus.Failed, (await Run(pipeline)).Status);

        Assert.Equal([false, false, false], seen);
        Assert.Equal("attempt 2", File.ReadAllText(made));
        var manifest = ManifestJson.ReadStage(_temp.Combine("out", "job", "01_make", "manifest.json"));
        Assert.Empty(manifest.Outputs); // the discarded attempt-3 file is not described, the restored one not claimed
        Assert.Contains(manifest.Warnings,
            w => w.Message.StartsWith("put back the outputs that were there before this attempt: 01_make/made.txt", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_temp.Combine("out", "job", ".waybill", "aside", "01_make")));
    }

    [Fact]
    public void A_link_that_stays_inside_the_job_is_fine_and_one_that_leads_out_is_named()
    {
        var layout = new JobLayout(_temp.Combine("out", "job"));
        var stageDir = layout.StageDir("02_b");
        Directory.CreateDirectory(stageDir);
        _temp.Write("out/job/01_a/a.txt", "a");
        var outside = _temp.Write("elsewhere.txt", "keep");
        File.CreateSymbolicLink(Path.Combine(stageDir, "inside.txt"), "../01_a/a.txt");
        File.CreateSymbolicLink(Path.Combine(stageDir, "outside.txt"), outside);
        File.CreateSymbolicLink(Path.Combine(stageDir, "dangling.txt"), _temp.Combine("nowhere", "x.txt"));

        Assert.Null(OutputLinks.Problem(layout, stageDir, "inside.txt"));
        Assert.Null(OutputLinks.Problem(layout, stageDir, "absent/x.txt"));
        Assert.Contains("outside the job folder", OutputLinks.Problem(layout, stageDir, "outside.txt"));
        Assert.NotNull(OutputLinks.Problem(layout, stageDir, "dangling.txt"));
    }

    [Fact]
    public void Moving_a_link_moves_the_link_and_never_the_file_it_points_to()
    {
        var target = _temp.Write("target.txt", "keep");
        var link = _temp.Combine("link.txt");
        File.CreateSymbolicLink(link, target);
        PathEntry.Move(link, _temp.Combine("moved.txt"));

        Assert.Equal(EntryKind.Missing, PathEntry.KindOf(link));
        Assert.Equal(EntryKind.SymbolicLink, PathEntry.KindOf(_temp.Combine("moved.txt")));
        Assert.Equal("keep", File.ReadAllText(target));
        PathEntry.Remove(_temp.Combine("moved.txt"));
        Assert.Equal("keep", File.ReadAllText(target));
    }
}
