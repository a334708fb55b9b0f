using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Controls;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Attempts;

/// <summary><c>timeout</c> on C# stages, timed on a fake clock: to the millisecond, and never waiting forever for code that ignores it.</summary>
public sealed class CodeStageTimeoutTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly RecordingClock _clock = new();

    public void Dispose() => _temp.Dispose();

    private Task<RunResult> Start(PipelineDefinition pipeline) =>
        PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1, Time = _clock },
            CancellationToken.None);

    private StageManifest Manifest(string stage) => ManifestJson.ReadStage(_temp.Combine("out", "job", stage, "manifest.json"));

    [Fact]
    public async Task A_stage_that_honours_its_token_is_stopped_exactly_at_its_timeout()
    {
        var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new PipelineBuilder("timeout", _temp.Path)
            .Stage("01_slow", DelegateStage.Of(async (_, ct) =>
            {
                started.SetResult(ct);
                await Task.Delay(Timeout.Infinite, ct);
            }), s => s.Controls(c => c with { Timeout = TimeSpan.FromMinutes(5) }))
            .Stage("02_after", DelegateStage.Of((_, _) => Task.CompletedTask), s => s.RunsAfter("01_slow"))
            .Build();

        var run = Start(pipeline);
        Assert.Equal(TimeSpan.FromMinutes(5), await _clock.NextTimerAsync());
        var token = await started.Task;
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.False(token.IsCancellationRequested);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(token.IsCancellationRequested);
        var result = await run;

        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest("01_slow");
        Assert.Equal("failed", manifest.Status);
        Assert.Equal("timed out after 5m", manifest.StatusReason);
        Assert.Equal(["timed out after 5m"], manifest.Errors.Select(e => e.Message));
        Assert.Empty(manifest.Warnings);
        Assert.Equal("upstream failed: 01_slow", Manifest("02_after").StatusReason);
        var stageLog = File.ReadAllText(_temp.Combine("out", "job", "01_slow", "stage.log"));
        Assert.Contains("[DEBUG] time limit of 5m reached: stopping the stage", stageLog, StringComparison.Ordinal);
        Assert.Contains("[ERROR] timed out after 5m", stageLog, StringComparison.Ordinal);
        Assert.Contains("❌ Stage slow: FAILED", File.ReadAllText(result.PipelineLog), StringComparison.Ordinal);
        JobAssert.ManifestsAreValid(result.JobDir);
    }

    [Fact]
    public async Task A_stage_that_returns_after_its_limit_without_heeding_its_token_still_timed_out()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new PipelineBuilder("late", _temp.Path)
            .Stage("01_late", DelegateStage.Of(async (ctx, _) =>
            {
                started.SetResult();
                await release.Task;
                await File.WriteAllTextAsync(ctx.OutputPath("data"), "late", CancellationToken.None);
            }), s => s.Output("data", "data.txt").Controls(c => c with { Timeout = TimeSpan.FromSeconds(30) }))
            .Build();

        var run = Start(pipeline);
        await _clock.NextTimerAsync();
        await started.Task;
        _clock.Advance(TimeSpan.FromSeconds(30));
        release.SetResult(); // returns within the grace, as if all were well
        var result = await run;

        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest("01_late");
        Assert.Equal("timed out after 30s", manifest.StatusReason);
        Assert.Empty(manifest.Outputs); // what it wrote after its limit is not claimed
        Assert.DoesNotContain(manifest.Warnings, w => w.Message.Contains("did not stop", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_stage_that_ignores_its_timeout_is_abandoned_recorded_as_timed_out_and_not_retried()
    {
        using var gate = new ManualResetEventSlim();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finishedLate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tries = 0;
        var pipeline = new PipelineBuilder("stuck", _temp.Path)
            .Stage("01_stuck", DelegateStage.Of((ctx, _) =>
            {
                tries++;
                started.SetResult();
                gate.Wait(CancellationToken.None); // blocks its thread, whatever its token says
                ctx.AddWarning("written after the timeout");
                ctx.TrackOutput(ctx.StagePath("late.txt"), "text");
                finishedLate.SetResult();
                return Task.CompletedTask;
            }), s => s.Controls(c => c with
            {
                Timeout = TimeSpan.FromMinutes(1),
                Retry = new RetryPolicy { Count = 2, Backoff = TimeSpan.FromSeconds(1) },
            }))
            .Build();

        // Started from another thread: an engine that ran the stage on the caller's thread would block the test itself.
        var run = Task.Run(() => Start(pipeline));
        try
        {
            Assert.Equal(TimeSpan.FromMinutes(1), await _clock.NextTimerAsync());
            Assert.Equal(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(10), await _clock.NextTimerAsync());
            await started.Task;
            _clock.Advance(TimeSpan.FromMinutes(1));
            Assert.False(run.IsCompleted);
            _clock.Advance(TimeSpan.FromSeconds(10));
        }
        catch
        {
            gate.Set();
            throw;
        }
        var result = await run;

        Assert.Equal(StageStatus.Failed, result.Status);
        Assert.Equal(1, tries);
        Assert.True(_clock.NoTimerPending); // no backoff: it is not retried while it may still be running
        var manifest = Manifest("01_stuck");
        Assert.Equal("timed out after 1m", manifest.StatusReason);
        Assert.Equal(["failed"], manifest.Tries!.Select(t => t.Status));
        Assert.Contains(manifest.Warnings,
            w => w.Message.StartsWith("the stage's code did not stop within 10s of its timeout", StringComparison.Ordinal));
        JobAssert.ManifestsAreValid(result.JobDir);

        // Let the abandoned code finish: nothing it does now reaches the record.
        gate.Set();
        await finishedLate.Task;
        var after = Manifest("01_stuck");
        Assert.DoesNotContain(after.Warnings, w => w.Message == "written after the timeout");
        Assert.Empty(after.Outputs);
    }
}
