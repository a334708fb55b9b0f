using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>Optional inputs (a skipped producer leaves them absent) and config values in external input paths.</summary>
public sealed class OptionalInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Func<IStage> Stage(Func<StageContext, CancellationToken, Task> body) => DelegateStage.Of(body);

    private Task<RunResult> Run(PipelineDefinition pipeline, params string[] force) =>
        PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1, Force = force }, CancellationToken.None);

    private StageManifest Manifest(string stage) => ManifestJson.ReadStage(_temp.Combine("out", "job", stage, "manifest.json"));

    private static Func<IStage> Skipper => Stage((ctx, _) =>
    {
        ctx.Finalize(StageStatus.Skipped, "disabled");
        return Task.CompletedTask;
    });

    [Fact]
    public async Task An_optional_input_of_a_skipped_producer_is_absent_and_the_consumer_runs()
    {
        bool? seen = null;
        var pipeline = new PipelineBuilder("optional", _temp.Path)
            .Stage("01_extra", Skipper, s => s.Output("file", "extra.txt"))
            .Stage("02_use", Stage(async (ctx, ct) =>
            {
                seen = ctx.HasInput("extra");
                await File.WriteAllTextAsync(ctx.OutputPath("result"), "ok", ct);
            }), s => s.Input("extra", "01_extra.file", optional: true).Output("result", "result.txt"))
            .Build();

        var result = await Run(pipeline);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.False(seen);
        Assert.Equal("success", Manifest("02_use").Status);
        Assert.Empty(Manifest("02_use").Inputs);
        Assert.Contains("optional input extra is absent: 01_extra was skipped (disabled)", File.ReadAllText(_temp.Combine("out", "job", "02_use", "stage.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_earlier_output_put_back_after_a_producer_skips_or_fails_is_absent_for_the_consumer()
    {
        var mode = "write";
        var seen = new List<bool>();
        string? refused = null;
        var pipeline = new PipelineBuilder("stale", _temp.Path)
            .Stage("01_extra", Stage(async (ctx, ct) =>
            {
                if (mode == "write") await File.WriteAllTextAsync(ctx.OutputPath("file"), "from the first run", ct);
                else if (mode == "skip") ctx.Finalize(StageStatus.Skipped, "disabled");
                else throw new StageFailedException("server down");
            }), s => s.Output("file", "extra.txt").Controls(c => c with { Optional = true }))
            .Stage("02_use", Stage(async (ctx, ct) =>
            {
                seen.Add(ctx.HasInput("extra"));
                if (!seen[^1])
                {
                    try
                    {
                        ctx.InputPath("extra");
                    }
                    catch (StageFailedException e)
                    {
                        refused = e.Message;
                    }
                }
                await File.WriteAllTextAsync(ctx.OutputPath("result"), mode, ct);
            }), s => s.Input("extra", "01_extra.file", optional: true).Output("result", "result.txt"))
            .Build();
        var extra = _temp.Combine("out", "job", "01_extra", "extra.txt");

        Assert.Equal(StageStatus.Success, (await Run(pipeline)).Status);
        foreach (var next in new[] { "skip", "fail" })
        {
            mode = next;
            // After the skip, 02_use runs again by itself: the input it read is absent now. Absent again, it would be up to date.
            var result = next == "skip" ? await Run(pipeline, "01_extra") : await Run(pipeline, "01_extra", "02_use");
            // The producer's earlier file is back in its folder (a failed or skipped attempt loses nothing) but is not read.
            Assert.Equal("from the first run", File.ReadAllText(extra));
            Assert.Equal(StageStatus.Success, result.Status);
            Assert.Equal(next, File.ReadAllText(_temp.Combine("out", "job", "02_use", "result.txt")));
            Assert.Empty(Manifest("02_use").Inputs);
            Assert.Equal("extra", Manifest("02_use").AbsentInputs!.Single().Name);
        }

        Assert.Equal([true, false, false], seen);
        Assert.Equal("optional input 'extra' is absent (01_extra failed (server down)): check HasInput(\"extra\") before reading it", refused);
        Assert.Equal("01_extra failed (server down)", Manifest("02_use").AbsentInputs!.Single().Reason);
    }

    [Fact]
    public async Task A_required_input_of_a_skipped_producer_skips_the_consumer()
    {
        var pipeline = new PipelineBuilder("required", _temp.Path)
            .Stage("01_extra", Skipper, s => s.Output("file", "extra.txt"))
            .Stage("02_use", Stage((_, _) => Task.CompletedTask), s => s.Input("extra", "01_extra.file"))
            .Build();

        await Run(pipeline);

        Assert.Equal("skipped", Manifest("02_use").Status);
        Assert.Contains("01_extra was skipped", Manifest("02_use").StatusReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_external_input_path_takes_config_values_and_an_unset_one_is_named()
    {
        var video = _temp.Write("my movie ü.txt", "frames");
        string? path = null;
        PipelineDefinition Pipeline(string value) => new PipelineBuilder("config-path", _temp.Path)
            .Config("video", value)
            .Stage("01_read", Stage((ctx, _) =>
            {
                path = ctx.InputPath("video");
                return Task.CompletedTask;
            }), s => s.ExternalInput("video", "{config.video}"))
            .Build();

        var ok = await Run(Pipeline(video));
        Assert.Equal(StageStatus.Success, ok.Status);
        Assert.Equal(video, path);
        Assert.Equal(video, Manifest("01_read").Inputs[0].Path); // outside the job folder: recorded absolute

        Directory.Delete(_temp.Combine("out"), recursive: true);
        var unset = await Run(Pipeline(""));
        Assert.Equal(StageStatus.Failed, unset.Status);
        Assert.Contains("config 'video' is not set; set it with --set video=<file>", Manifest("01_read").Errors[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_pipeline_file_reads_optional_and_rejects_a_non_boolean()
    {
        var file = _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                run: echo a > {out.a}
                outputs: { a: a.txt }
              - id: 02_b
                run: cat {in.a}
                inputs:
                  a: { from: 01_a.a, optional: true }
            """);
        var definition = PipelineFileLoader.Load(file);
        Assert.True(definition.Find("02_b")!.Inputs[0].Optional);

        File.WriteAllText(file, File.ReadAllText(file).Replace("optional: true", "optional: maybe", StringComparison.Ordinal));
        var error = Assert.Throws<PipelineInvalidException>(() => PipelineFileLoader.Load(file));
        Assert.Contains("'maybe' is not true or false", error.Message, StringComparison.Ordinal);
    }
}
