using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Controls;
using Xunit;

namespace Waybill.Core.Tests.Pipeline.Controls;

/// <summary>The control keys of a stage as the pipeline file and <c>--set</c> give them, and every bad value refused with where and why.</summary>
public sealed class StageControlsTests
{
    private static PipelineDefinition Load(string stageKeys, params string[] overrides) => PipelineFileLoader.Parse($"""
        stages:
          - id: 01_a
            run: echo a
        {stageKeys}
        """, "/p/waybill.yaml", overrides);

    [Fact]
    public void ShortFormsAreReadAsWritten()
    {
        var controls = Load("""
                timeout: 30m
                retries: 3
                threads: 2
                memory: 4GiB
                gpus: 1
                optional: true
            """).Stages[0].Controls;
        Assert.Equal(TimeSpan.FromMinutes(30), controls.Timeout);
        Assert.Equal(3, controls.Retry!.Count);
        Assert.Equal(2, controls.Threads);
        Assert.Equal(4L << 30, controls.MemoryBytes);
        Assert.Equal(1, controls.Gpus);
        Assert.True(controls.Optional);
        Assert.Equal(4, controls.Locations["timeout"].Line);
    }

    [Fact]
    public void ALongRetryPolicyIsRead()
    {
        var retry = Load("""
                retries: { count: 2, backoff: 10s, factor: 3, max_backoff: 1m, exit_codes: [75, 1], errors: ["timed? out"] }
                on_failure: continue
            """).Stages[0];
        Assert.True(retry.Controls.Optional);
        var policy = retry.Controls.Retry!;
        Assert.Equal([75, 1], policy.ExitCodes);
        Assert.Equal(["timed? out"], policy.ErrorPatterns);
        Assert.Equal(TimeSpan.FromSeconds(10), policy.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(30), policy.DelayBefore(2));
        Assert.Equal(TimeSpan.FromMinutes(1), policy.DelayBefore(3));
    }

    [Theory]
    [InlineData("timeout: 0", "01_a.timeout", "timeout must be longer than 0")]
    [InlineData("timeout: -1m", "01_a.timeout", "timeout must be longer than 0")]
    [InlineData("timeout: soon", "01_a.timeout", "'soon' is not a duration")]
    [InlineData("timeout: -1e300", "01_a.timeout", "timeout must be longer than 0")]
    [InlineData("timeout: 99999999999999999999999d", "01_a.timeout", "timeout is longer than a year")]
    [InlineData("timeout: 30", "01_a.timeout", "timeout '30' has no unit: write 30s or 30m")]
    [InlineData("retries: { count: 2, backoff: 5 }", "01_a.retries", "retries.backoff '5' has no unit")]
    [InlineData("memory: 4096", "01_a.memory", "'4096' has no unit")]
    [InlineData("threads: 0", "01_a.threads", "threads must be a whole number of at least 1")]
    [InlineData("gpus: many", "01_a.gpus", "gpus must be a whole number")]
    [InlineData("retries: { count: 2, tries: 3 }", "01_a.retries", "unknown key 'tries' in retries")]
    [InlineData("retries: { count: 2, errors: ['(('] }", "01_a.retries", "is not a regular expression")]
    [InlineData("optional: maybe", "01_a.optional", "optional must be true or false")]
    [InlineData("on_failure: ignore", "01_a.on_failure", "on_failure must be 'continue' or 'fail'")]
    [InlineData("sample_interval: 50ms", "01_a.sample_interval", "sample_interval must be from 100ms to 1h, not '50ms'")]
    [InlineData("sample_interval: 2h", "01_a.sample_interval", "sample_interval must be from 100ms to 1h, not '2h'")]
    [InlineData("sample_interval: 1", "01_a.sample_interval", "sample_interval '1' has no unit")]
    [InlineData("sample_interval: never", "01_a.sample_interval", "'never' is not a duration")]
    public void ABadValueIsRefusedAtItsPlace(string line, string field, string message)
    {
        var error = Assert.Single(Assert.Throws<PipelineInvalidException>(() => Load("    " + line)).Errors);
        Assert.Equal(field, error.Field);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(4, error.Location!.Line);
    }

    [Fact]
    public void SampleIntervalIsADurationOrOffAndSetChangesIt()
    {
        Assert.Null(Load("").Stages[0].Controls.SampleInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(250), Load("    sample_interval: 250ms").Stages[0].Controls.SampleInterval);
        Assert.Equal(TimeSpan.Zero, Load("    sample_interval: off").Stages[0].Controls.SampleInterval);
        Assert.Equal(TimeSpan.FromSeconds(5), Load("    sample_interval: off", "01_a.sample_interval=5s").Stages[0].Controls.SampleInterval);
    }

    [Fact]
    public void SetOverridesAControlAndReachesAConfigKeyOfTheSameName()
    {
        var stage = Load("    timeout: 30m", "01_a.timeout=90s", "a.threads=2", "01_a.config.timeout=7").Stages[0];
        Assert.Equal(TimeSpan.FromSeconds(90), stage.Controls.Timeout);
        Assert.Equal(2, stage.Controls.Threads);
        Assert.Equal(7, (long)stage.Config["timeout"]!);
    }

    [Fact]
    public void SetRefusesABadControlNamingTheOption()
    {
        var error = Assert.Single(Assert.Throws<PipelineInvalidException>(() => Load("", "01_a.timeout=-1m")).Errors);
        Assert.Equal("--set 01_a.timeout", error.Field);
        Assert.Contains("longer than 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("1h30m", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("1d", 86400)]
    public void DurationsRead(string text, double seconds) => Assert.Equal(seconds, Quantities.ParseDuration(text, out _)!.Value.TotalSeconds);

    [Theory]
    [InlineData("4GiB", 4L << 30)]
    [InlineData("4G", 4L << 30)]
    [InlineData("4GB", 4_000_000_000L)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("100 KiB", 100L << 10)]
    public void SizesRead(string text, long bytes) => Assert.Equal(bytes, Quantities.ParseSize(text, out _));

    [Theory]
    [InlineData(1800, "30m")]
    [InlineData(5400, "1h30m")]
    [InlineData(1.5, "1.5s")]
    [InlineData(0.25, "250ms")]
    public void DurationsPrintShort(double seconds, string text) => Assert.Equal(text, Quantities.FormatDuration(TimeSpan.FromSeconds(seconds)));
}
