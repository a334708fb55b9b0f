using System.Text.Json.Nodes;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>
/// <see cref="RunOptions.Ended"/>: told of the result once the stages have ended, before the run waits for its observers
/// and completes its records; what it throws comes out of the run after them.
/// </summary>
public sealed class RunEndedTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_result_is_told_before_the_observers_finish_and_the_job_manifest_is_complete()
    {
        var events = new List<string>();
        RunResult? told = null;
        var options = Options() with
        {
            Ended = result =>
            {
                told = result;
                events.Add("ended, job " + JobStatus());
            },
            Observers = [new Finishing(() => events.Add("observers finish"))],
        };

        var result = await PipelineRunner.RunAsync(Pipeline(), options, CancellationToken.None);

        Assert.Same(result, told);
        Assert.Equal(["ended, job running", "observers finish"], events);
        Assert.Equal("success", JobStatus());
    }

    [Fact]
    public async Task What_it_throws_comes_out_once_the_job_manifest_is_complete()
    {
        var options = Options() with { Ended = _ => throw new IOException("the console is gone") };

        var thrown = await Assert.ThrowsAsync<IOException>(() => PipelineRunner.RunAsync(Pipeline(), options, CancellationToken.None));

        Assert.Equal("the console is gone", thrown.Message);
        Assert.Equal("success", JobStatus());
        Assert.NotEmpty(JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "job", "manifest.json")))!["logs"]!.AsArray());
    }

    private PipelineDefinition Pipeline() =>
        new PipelineBuilder("ended", _temp.Path).Stage("01_a", DelegateStage.Of((_, _) => Task.CompletedTask)).Build();

    private RunOptions Options() => new() { JobId = "job", OutputRoot = _temp.Combine("out") };

    private string JobStatus() =>
        (string)JsonNode.Parse(File.ReadAllText(_temp.Combine("out", "job", "manifest.json")))!["status"]!;

    private sealed class Finishing(Action finished) : IRunObserver
    {
        public void JobStarted(RunStarted run)
        {
        }

        public void StageStarted(StageInvocation invocation, DateTimeOffset at)
        {
        }

        public void StageFinished(StageInvocation invocation, StageOutcome outcome, DateTimeOffset at)
        {
        }

        public Task JobFinishedAsync(StageStatus status, DateTimeOffset at)
        {
            finished();
            return Task.CompletedTask;
        }
    }
}
