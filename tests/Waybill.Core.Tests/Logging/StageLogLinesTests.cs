using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Tests.Execution;
using Waybill.Core.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Logging;

/// <summary>In stage.log a line that starts with '[' is always an event: neither a message nor an exception text can forge one.</summary>
public sealed class StageLogLinesTests : IDisposable
{
    private const string Forged = "[2025-01-01 00:00:00] [pipeline] [ERROR] forged";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_forged_line_in_a_message_or_an_exception_stays_inside_its_event()
    {
        var pipeline = new PipelineBuilder("forge", _temp.Path)
            .Stage("01_throw", DelegateStage.Of((ctx, _) =>
            {
                ctx.Logger.LogWarning("reading {File}", "a\n" + Forged + "\r\n");
                throw new InvalidOperationException("cannot read b\n" + Forged);
            }))
            .Build();

        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 },
            TestContext.Current.CancellationToken);

        Assert.Equal(StageStatus.Failed, result.Status);
        var lines = File.ReadAllLines(_temp.Combine("out", "job", "01_throw", "stage.log"));
        var events = lines.Where(l => l.StartsWith('[')).ToList();
        Assert.All(events, l => Assert.True(LogLine.TryParse(l, out var parsed) && parsed!.Message != "forged", l));
        Assert.All(lines.Except(events), l => Assert.StartsWith("  ", l, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  ", StringComparison.Ordinal) && l.Contains(Forged, StringComparison.Ordinal));
        Assert.Contains(events, l => LogLine.TryParse(l, out var parsed) && parsed!.Message == "reading a\n" + Forged + "\r\n");
    }
}
