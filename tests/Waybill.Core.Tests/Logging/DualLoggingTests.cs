using Microsoft.Extensions.Logging;
using Waybill.Core.Jobs;
using Waybill.Core.Logging;
using Waybill.Core.Secrets;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Logging;

public sealed class DualLoggingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class ThrowingSink : ILogSink
    {
        public int Calls { get; private set; }

        public void Emit(LogEvent logEvent)
        {
            Calls++;
            throw new IOException("disk full");
        }
    }

    private sealed class ListSink : ILogSink
    {
        public List<string> Lines { get; } = [];

        public void Emit(LogEvent logEvent) => Lines.Add(logEvent.Line);
    }

    [Fact]
    public void Debug_goes_only_to_stage_log_and_info_goes_everywhere()
    {
        var layout = new JobLayout(_temp.Combine("job"));
        var console = new ListSink();
        string pipelineLog, stageLog;
        using (var logging = new RunLogging(layout, new Redactor(), TimeProvider.System, console, LogLevel.Information, legacyStageLogs: false))
        {
            pipelineLog = logging.PipelineLogPath;
            using var stage = logging.OpenStage("06_asr", "asr");
            stage.Logger.LogDebug("Processing chunk 1/5");
            stage.Logger.LogInformation("Transcription complete: 142 segments");
            logging.Pipeline.LogInformation("orchestrator line");
            stageLog = layout.StageLogPath("06_asr");
        }
        var stageLines = File.ReadAllLines(stageLog);
        var pipelineLines = File.ReadAllLines(pipelineLog);
        Assert.Matches(@"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] \[stage\.asr\] \[DEBUG\] Processing chunk 1/5$", stageLines[0]);
        Assert.EndsWith("[stage.asr] [INFO] Transcription complete: 142 segments", stageLines[1]);
        Assert.Equal(2, stageLines.Length);
        Assert.Equal(["[stage.asr] [INFO] Transcription complete: 142 segments", "[pipeline] [INFO] orchestrator line"], pipelineLines.Select(l => l[22..]));
        Assert.Equal(2, console.Lines.Count);
    }

    [Fact]
    public void A_failing_sink_never_fails_the_stage_and_the_other_sinks_keep_every_line()
    {
        var layout = new JobLayout(_temp.Combine("job"));
        var broken = new ThrowingSink();
        using (var logging = new RunLogging(layout, new Redactor(), TimeProvider.System, broken, LogLevel.Information, legacyStageLogs: false))
        using (var stage = logging.OpenStage("01_a", "a"))
        {
            for (var i = 0; i < 10; i++) stage.Logger.LogInformation("line {Number}", i);
        }
        Assert.Equal(1, broken.Calls); // reported once, then left alone
        Assert.Equal(10, File.ReadAllLines(layout.StageLogPath("01_a")).Length);
    }

    [Fact]
    public void No_line_is_lost_when_many_threads_log_at_once()
    {
        var layout = new JobLayout(_temp.Combine("job"));
        string pipelineLog;
        using (var logging = new RunLogging(layout, new Redactor(), TimeProvider.System, null, LogLevel.Information, legacyStageLogs: false))
        {
            pipelineLog = logging.PipelineLogPath;
            using var stage = logging.OpenStage("01_a", "a");
            Parallel.For(0, 4, t =>
            {
                for (var i = 0; i < 25_000; i++)
                {
                    if (i % 2 == 0) stage.Logger.LogDebug("debug {Thread} {I}", t, i);
                    else stage.Logger.LogInformation("info {Thread} {I}", t, i);
                }
            });
        }
        Assert.Equal(100_000, File.ReadAllLines(layout.StageLogPath("01_a")).Length);
        Assert.Equal(50_000, File.ReadAllLines(pipelineLog).Length);
        Assert.Equal(100_000, File.ReadAllLines(layout.EventsPath).Length);
    }

    [Fact]
    public void Secrets_are_masked_in_messages_and_exceptions()
    {
        var redactor = new Redactor();
        redactor.Add("s3cr3t-value");
        var layout = new JobLayout(_temp.Combine("job"));
        using (var logging = new RunLogging(layout, redactor, TimeProvider.System, null, LogLevel.Information, legacyStageLogs: false))
        using (var stage = logging.OpenStage("01_a", "a"))
        {
            stage.Logger.LogError(new InvalidOperationException("token s3cr3t-value rejected"), "calling with {Key}", "s3cr3t-value");
        }
        var text = File.ReadAllText(layout.StageLogPath("01_a")) + File.ReadAllText(layout.EventsPath);
        Assert.DoesNotContain("s3cr3t-value", text);
        Assert.Contains("calling with ***", text);
        Assert.Contains("token *** rejected", text);
    }
}
