using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Core.Execution;
using Waybill.Core.Execution.Protocol;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution.Protocol;

/// <summary>
/// Progress messages of a stage channel reach the run's display once per read of the channel (the last of them), take no
/// share of the channel's message budget, and a bad one is a warning.
/// </summary>
public sealed class ProgressMergeTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly List<StageProgress> _shown = [];

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Of_many_progress_messages_in_one_read_only_the_last_is_shown()
    {
        var (context, merge) = Merge(budgetMessages: 1_000);
        var number = 0L;
        for (var done = 1; done <= 10_000; done++)
            Send(merge, ++number, $$"""{"type":"progress","done":{{done}},"total":20000,"unit":"frames"}""");
        Assert.Empty(_shown);

        merge.Flush();
        Send(merge, ++number, """{"type":"progress","done":30000,"total":20000.0}""");
        merge.Flush();
        merge.Flush();

        Assert.Equal([new StageProgress("01_work", 10_000, 20_000, "frames"), new StageProgress("01_work", 20_000, 20_000, "items")], _shown);
        merge.Finish();
        Assert.Empty(context.Manifest.Warnings);
    }

    [Fact]
    public void Progress_messages_take_no_share_of_the_budget_and_bad_ones_are_warnings()
    {
        var (context, merge) = Merge(budgetMessages: 3);
        var number = 0L;
        for (var done = 0; done < 100; done++) Send(merge, ++number, $$"""{"type":"progress","done":{{done}},"total":100}""");
        Send(merge, ++number, """{"type":"progress","done":1,"total":0}""");
        Send(merge, ++number, """{"type":"warning","message":"heard"}""");
        // A message of another type that names progress is that type's, and counts.
        Send(merge, ++number, """{"type":"resources","values":{"progress":1}}""");
        merge.Flush();
        merge.Finish();

        Assert.Equal([new StageProgress("01_work", 99, 100, "items")], _shown);
        Assert.Equal(
            ["stage channel of 01_work, line 101: progress: \"total\" is 0: a total is 1 or more; not applied", "heard"],
            context.Manifest.Warnings.Select(w => w.Message));
        Assert.Equal(1, context.Manifest.Resources.Extra!["progress"].GetInt32());
    }

    private static void Send(ProtocolMerge merge, long number, string line) => merge.Line(number, Encoding.UTF8.GetBytes(line));

    private (StageContext Context, ProtocolMerge Merge) Merge(long budgetMessages)
    {
        var pipeline = new PipelineBuilder("progress", _temp.Path).Stage("01_work", DelegateStage.Of((_, _) => Task.CompletedTask)).Build();
        var stage = pipeline.Stages[0];
        var layout = new JobLayout(_temp.Combine("out", "job"));
        var manifest = new StageManifest
        {
            Stage = stage.Name, StageId = stage.Id, StageNumber = stage.Number, JobId = layout.JobId, RunId = "run",
            Kind = "code", Host = "test", WaybillVersion = RunServices.Version,
        };
        var context = new StageContext(stage, pipeline, layout, manifest, NullLogger.Instance, new Redactor(), TimeProvider.System, new JsonObject())
        {
            ProgressSink = new Collect(_shown),
        };
        return (context, new ProtocolMerge(context, long.MaxValue, budgetMessages));
    }

    private sealed class Collect(List<StageProgress> shown) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => shown.Add(value);
    }
}
