using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Stages;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Attempts;

/// <summary>Retries of C# stages on a fake clock: the backoff waits exactly as configured, and each try starts clean.</summary>
public sealed class RetryBackoffTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly RecordingClock _clock = new();

    public void Dispose() => _temp.Dispose();

    private Task<RunResult> Start(PipelineDefinition pipeline, CancellationToken cancellationToken = default) =>
        PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1, Time = _clock },
            cancellationToken);

    private StageManifest Manifest(string stage) => ManifestJson.ReadStage(_temp.Combine("out", "job", stage, "manifest.json"));

    private static RetryPolicy Policy(int count) =>
        new() { Count = count, Backoff = TimeSpan.FromSeconds(10), Factor = 3, MaxBackoff = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task Each_retry_waits_its_backoff_on_the_run_clock_and_every_try_is_recorded()
    {
        var tries = 0;
        var pipeline = new PipelineBuilder("backoff", _temp.Path)
            .Stage("01_flaky", DelegateStage.Of(async (ctx, ct) =>
            {
                if (++tries < 4) throw new StageFailedException($"service unavailable ({tries})");
                await File.WriteAllTextAsync(ctx.OutputPath("data"), "ok", ct);
            }), s => s.Output("data", "data.txt").Controls(c => c with { Retry = Policy(4) }))
            .Build();
        var started = _clock.GetUtcNow();

        var run = Start(pipeline);
        // 10 s, then 30 s, then 90 s capped at 60 s: each wait asked of the clock, and nothing runs until it passes.
        foreach (var expected in new[] { 10, 30, 60 })
        {
            Assert.Equal(TimeSpan.FromSeconds(expected), await _clock.NextTimerAsync());
            var before = tries;
            _clock.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.Equal(before, tries);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var result = await run;

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.True(_clock.NoTimerPending);
        var manifest = Manifest("01_flaky");
        Assert.Equal(["failed", "failed", "failed", "success"], manifest.Tries!.Select(t => t.Status));
        Assert.Equal([null, 10, 30, 60], manifest.Tries!.Select(t => t.WaitBeforeSeconds));
        Assert.Equal([0, 10, 40, 100], manifest.Tries!.Select(t => (t.StartedUtc - started).TotalSeconds));
        Assert.Equal("service unavailable (3)", manifest.Tries![2].Error);
        Assert.Null(manifest.Tries![0].ExitCode); // a C# stage has no exit code
        Assert.Equal(["succeeded on attempt 4 of 5"], manifest.Warnings.Select(w => w.Message));
        Assert.Empty(manifest.Errors);
        Assert.Equal(started, manifest.StartedUtc); // the stage started with its first try
        JobAssert.ManifestsAreValid(result.JobDir);
    }

    [Fact]
    public async Task A_try_starts_clean_nothing_a_failed_try_recorded_or_wrote_reaches_the_next()
    {
        var seen = new List<bool>();
        var tries = 0;
        var pipeline = new PipelineBuilder("clean", _temp.Path)
            .Stage("01_make", DelegateStage.Of(async (ctx, ct) =>
            {
                tries++;
                seen.Add(File.Exists(ctx.OutputPath("made")));
                await File.WriteAllTextAsync(ctx.OutputPath("made"), $"try {tries}", ct);
                ctx.TrackOutput(ctx.OutputPath("made"), "text");
                if (tries > 1) return;
                var scratch = ctx.StagePath("scratch.txt");
                await File.WriteAllTextAsync(scratch, "half", ct);
                ctx.TrackOutput(scratch, "text");
                ctx.TrackIntermediate(Path.Combine(ctx.CacheDir, "tmp.bin"), retained: false, reason: "scratch");
                ctx.AddConfig("mode", "first try");
                ctx.AddWarning("first try looks odd");
                ctx.AddError("first try broke");
                ctx.Finalize(StageStatus.Failed, "first try failed");
            }), s => s.Output("made", "made.txt").Controls(c => c with { Retry = new RetryPolicy { Count = 1, Backoff = TimeSpan.FromSeconds(1) } }))
            .Build();

        var run = Start(pipeline);
        _clock.Advance(await _clock.NextTimerAsync());
        var result = await run;

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal([false, false], seen); // the failed try's output was gone before the second began
        var manifest = Manifest("01_make");
        Assert.Equal(["01_make/made.txt"], manifest.Outputs.Select(o => o.Path));
        Assert.Empty(manifest.IntermediateFiles);
        Assert.Empty(manifest.Errors);
        Assert.False(manifest.Config.ContainsKey("mode"));
        Assert.Equal(["succeeded on attempt 2 of 2"], manifest.Warnings.Select(w => w.Message));
        Assert.Equal("first try failed", manifest.Tries![0].Error);
        Assert.Equal("try 2", File.ReadAllText(_temp.Combine("out", "job", "01_make", "made.txt")));
    }

    [Fact]
    public async Task Cancelling_during_a_backoff_wait_cancels_the_stage_and_keeps_the_failed_try()
    {
        using var cancel = new CancellationTokenSource();
        var pipeline = new PipelineBuilder("cancel", _temp.Path)
            .Stage("01_flaky", DelegateStage.Of((_, _) => throw new InvalidOperationException("flaky")),
                s => s.Controls(c => c with { Retry = Policy(3) }))
            .Build();

        var run = Start(pipeline, cancel.Token);
        await _clock.NextTimerAsync();
        await cancel.CancelAsync();
        var result = await run;

        Assert.Equal(StageStatus.Cancelled, result.Status);
        var manifest = Manifest("01_flaky");
        Assert.Equal("cancelled", manifest.Status);
        Assert.Equal(["failed"], manifest.Tries!.Select(t => t.Status));
        Assert.Contains(manifest.Warnings, w => w.Message.StartsWith("stage cancelled while waiting to retry", StringComparison.Ordinal));
        JobAssert.ManifestsAreValid(result.JobDir);
    }

    [Fact]
    public async Task A_full_disk_is_not_retried()
    {
        var tries = 0;
        var pipeline = new PipelineBuilder("full", _temp.Path)
            .Stage("01_full", DelegateStage.Of((_, _) =>
            {
                tries++;
                throw new IOException("No space left on device : '/data/x'");
            }), s => s.Controls(c => c with { Retry = Policy(3) }))
            .Build();

        var result = await Start(pipeline);

        Assert.Equal(StageStatus.Failed, result.Status);
        Assert.Equal(1, tries);
        Assert.True(_clock.NoTimerPending); // no wait was ever started
        Assert.Single(Manifest("01_full").Tries!);
        Assert.Contains("not retried: the disk is full",
            File.ReadAllText(_temp.Combine("out", "job", "01_full", "stage.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_before_the_work_started_is_not_retried()
    {
        var pipeline = new PipelineBuilder("input", _temp.Path)
            .Stage("01_no_input", DelegateStage.Of((_, _) => Task.CompletedTask),
                s => s.ExternalInput("video", "missing.mkv").Controls(c => c with { Retry = Policy(3) }))
            .Build();

        var result = await Start(pipeline);

        Assert.Equal(StageStatus.Failed, result.Status);
        Assert.True(_clock.NoTimerPending);
        var manifest = Manifest("01_no_input");
        Assert.Single(manifest.Tries!);
        Assert.StartsWith("input 'video' (external file) not found", manifest.StatusReason, StringComparison.Ordinal);
        Assert.Contains("not retried: it failed before its work started",
            File.ReadAllText(_temp.Combine("out", "job", "01_no_input", "stage.log")), StringComparison.Ordinal);
    }
}
