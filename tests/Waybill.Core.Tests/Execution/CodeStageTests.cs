using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>C# stages through StageContext: the seeds' StageIO operations end up in the manifest.</summary>
public sealed class CodeStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static Func<IStage> Stage(Func<StageContext, CancellationToken, Task> body) => DelegateStage.Of(body);

    private Task<RunResult> Run(PipelineDefinition pipeline, string jobId = "job", int parallel = 2, CancellationToken cancellationToken = default) =>
        PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = jobId, OutputRoot = _temp.Combine("out"), MaxParallel = parallel }, cancellationToken);

    private StageManifest Manifest(string stage, string jobId = "job") => ManifestJson.ReadStage(_temp.Combine("out", jobId, stage, "manifest.json"));

    [Fact]
    public async Task Metadata_that_names_a_field_of_the_file_record_is_refused_and_the_manifest_stays_readable()
    {
        ArgumentException? refused = null;
        var pipeline = new PipelineBuilder("code", _temp.Path)
            .Stage("01_asr", Stage(async (ctx, ct) =>
            {
                await File.WriteAllTextAsync(ctx.OutputPath("segments"), "[]", ct);
                refused = Assert.Throws<ArgumentException>(() =>
                    ctx.TrackOutput(ctx.OutputPath("segments"), "transcript", "json", [new("run_parts", 8), new("checksum", "mine"), new("words", 3)]));
                ctx.TrackOutput(ctx.OutputPath("segments"), "transcript", "json", [new("segments", 8)]);
            }), s => s.Output("segments", "segments.json"))
            .Build();

        var result = await Run(pipeline);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Contains("names 'run_parts', 'checksum', which the engine records itself", refused!.Message, StringComparison.Ordinal);
        var output = Manifest("01_asr").Outputs.Single();
        Assert.Equal(8, output.Metadata!["segments"].GetInt32());
        Assert.StartsWith("xxh128:", output.Checksum, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tracked_files_config_warnings_and_resources_reach_the_manifest()
    {
        var pipeline = new PipelineBuilder("code", _temp.Path)
            .Config("model", "large-v2")
            .Stage("01_demux", Stage(async (ctx, ct) =>
            {
                ctx.Logger.LogDebug("writing audio");
                await File.WriteAllTextAsync(ctx.OutputPath("audio"), "RIFF....", ct);
                ctx.TrackOutput(ctx.OutputPath("audio"), "audio", "wav", [new("sample_rate", 16000)]);
                var meta = ctx.StagePath("metadata.json");
                await File.WriteAllTextAsync(meta, "{}", ct);
                ctx.TrackOutput(meta, "metadata");
            }), s => s.Output("audio", "audio.wav"))
            .Stage("06_asr", Stage(async (ctx, ct) =>
            {
                var audio = ctx.InputPath("audio");
                ctx.AddConfig("batch_size", 16);
                var cache = Path.Combine(ctx.CacheDir, "model.bin");
                await File.WriteAllBytesAsync(cache, new byte[1000], ct);
                ctx.TrackIntermediate(cache, retained: true, reason: "model cache for future runs");
                await File.WriteAllTextAsync(ctx.OutputPath("segments"), "[]", ct);
                await File.WriteAllTextAsync(ctx.OutputPath("transcript"), "{}", ct);
                ctx.TrackOutput(ctx.OutputPath("segments"), "transcript", "segments", [new("segment_count", 142)]);
                ctx.TrackOutput(ctx.OutputPath("transcript"), "transcript", "whisperx");
                ctx.AddWarning("low confidence in 3 segments");
                ctx.SetResource("model_load_seconds", 1.5);
                _ = audio;
            }), s => s.Input("audio", "01_demux.audio").Output("segments", "segments.json").Output("transcript", "transcript.json"))
            .Build();

        var result = await Run(pipeline);
        Assert.Equal(StageStatus.Success, result.Status);
        JobAssert.ManifestsAreValid(result.JobDir);

        var demux = Manifest("01_demux");
        Assert.Equal(["01_demux/audio.wav", "01_demux/metadata.json"], demux.Outputs.Select(o => o.Path));
        Assert.Equal(16000, demux.Outputs[0].Metadata!["sample_rate"].GetInt32());
        Assert.Equal("audio", demux.Outputs[0].Name);

        var asr = Manifest("06_asr");
        Assert.Equal("asr", asr.Stage);
        Assert.Equal(6, asr.StageNumber);
        // Two outputs of the same type are both kept: lists, not a dictionary keyed by type.
        Assert.Equal(["transcript", "transcript"], asr.Outputs.Select(o => o.Type));
        Assert.Equal(142, asr.Outputs[0].Metadata!["segment_count"].GetInt32());
        Assert.Equal("01_demux/audio.wav", asr.Inputs.Single().Path);
        Assert.Equal(demux.Outputs[0].Checksum, asr.Inputs.Single().Checksum);
        Assert.Equal("large-v2", asr.Config["model"]!.GetValue<string>());
        Assert.Equal(16, asr.Config["batch_size"]!.GetValue<int>());
        var intermediate = asr.IntermediateFiles.Single();
        Assert.Equal("06_asr/.cache/model.bin", intermediate.Path);
        Assert.True(intermediate.Retained);
        Assert.Equal("model cache for future runs", intermediate.Reason);
        Assert.Equal(1000, intermediate.SizeBytes);
        Assert.Equal("low confidence in 3 segments", asr.Warnings.Single().Message);
        Assert.Equal(1.5, asr.Resources.Extra!["model_load_seconds"].GetDouble());
        Assert.Equal("in-process", asr.Resources.MeasuredBy);
        Assert.True(asr.Resources.PeakRssMb > 10);
        Assert.Contains("[stage.demux] [DEBUG] writing audio", File.ReadAllText(_temp.Combine("out", "job", "01_demux", "stage.log")));
    }

    [Fact]
    public async Task An_output_outside_the_job_folder_is_refused_with_the_reason()
    {
        var elsewhere = _temp.Combine("elsewhere.txt");
        var pipeline = new PipelineBuilder("outside", _temp.Path)
            .Stage("01_make", Stage(async (ctx, ct) =>
            {
                await File.WriteAllTextAsync(elsewhere, "not the job's", ct);
                ctx.TrackOutput(elsewhere, "text");
            }))
            .Build();

        var result = await Run(pipeline);

        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest("01_make");
        Assert.Empty(manifest.Outputs);
        var error = Assert.Single(manifest.Errors);
        Assert.Contains($"output '{elsewhere}' is outside the job folder", error.Message, StringComparison.Ordinal);
        Assert.Contains("TrackInput", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exception_is_recorded_with_details_and_the_stage_fails()
    {
        var pipeline = new PipelineBuilder("boom", _temp.Path)
            .Stage("01_bad", Stage((_, _) => throw new InvalidDataException("header is corrupt")))
            .Build();
        var result = await Run(pipeline);
        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest("01_bad");
        Assert.Equal("failed", manifest.Status);
        var error = manifest.Errors.Single();
        Assert.Equal("InvalidDataException: header is corrupt", error.Message);
        Assert.Equal("System.IO.InvalidDataException", error.ExceptionType);
        Assert.Contains("CodeStageTests", error.StackTrace);
        var stageLog = File.ReadAllText(_temp.Combine("out", "job", "01_bad", "stage.log"));
        Assert.Contains("System.IO.InvalidDataException: header is corrupt", stageLog);
        Assert.Contains("   at ", stageLog); // the full exception goes to stage.log only
        var pipelineLog = File.ReadAllText(result.PipelineLog);
        Assert.Contains("❌ Stage bad: FAILED", pipelineLog);
        Assert.DoesNotContain("   at ", pipelineLog);
    }

    [Fact]
    public async Task A_stage_may_finalize_itself_as_skipped_and_downstream_still_runs()
    {
        var pipeline = new PipelineBuilder("skip", _temp.Path)
            .Stage("02_tmdb", Stage((ctx, _) =>
            {
                ctx.Finalize(StageStatus.Skipped, "no TMDB_API_KEY set");
                return Task.CompletedTask;
            }))
            .Stage("03_glossary", Stage(async (ctx, ct) => await File.WriteAllTextAsync(ctx.OutputPath("g"), "{}", ct)), s => s.RunsAfter("02_tmdb").Output("g", "glossary.json"))
            .Build();
        var result = await Run(pipeline);
        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal("skipped", Manifest("02_tmdb").Status);
        Assert.Equal("no TMDB_API_KEY set", Manifest("02_tmdb").StatusReason);
        Assert.Equal("success", Manifest("03_glossary").Status);
        Assert.Contains("⏭ Stage tmdb: SKIPPED (no TMDB_API_KEY set)", File.ReadAllText(result.PipelineLog));
    }

    [Fact]
    public async Task A_stage_whose_input_comes_from_a_skipped_stage_is_skipped_with_the_reason()
    {
        var pipeline = new PipelineBuilder("optional", _temp.Path)
            .Stage("02_tmdb", Stage((ctx, _) =>
            {
                ctx.Finalize(StageStatus.Skipped, "no TMDB_API_KEY set");
                return Task.CompletedTask;
            }), s => s.Output("names", "tmdb.json"))
            .Stage("03_glossary", Stage((_, _) => throw new InvalidOperationException("must not run")), s => s.Input("names", "02_tmdb.names"))
            .Build();
        var result = await Run(pipeline);
        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal("skipped", Manifest("03_glossary").Status);
        Assert.Equal("input 'names' is not available: 02_tmdb was skipped (no TMDB_API_KEY set)", Manifest("03_glossary").StatusReason);
    }

    [Fact]
    public async Task Multi_line_messages_stay_one_line_in_the_pipeline_log()
    {
        var pipeline = new PipelineBuilder("lines", _temp.Path)
            .Stage("01_talk", Stage((ctx, _) =>
            {
                ctx.Logger.LogInformation("first\nsecond");
                return Task.CompletedTask;
            }))
            .Build();
        var result = await Run(pipeline);
        Assert.Contains(@"[stage.talk] [INFO] first\nsecond", File.ReadAllText(result.PipelineLog));
        Assert.Contains(@"[stage.talk] [INFO] first\nsecond", File.ReadAllText(_temp.Combine("out", "job", "01_talk", "stage.log")));
    }

    [Fact]
    public async Task Cancellation_reaches_running_stages_and_is_recorded()
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var pipeline = new PipelineBuilder("cancel", _temp.Path)
            .Stage("01_wait", Stage(async (_, ct) =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }))
            .Stage("02_never", Stage((_, _) => Task.CompletedTask), s => s.RunsAfter("01_wait"))
            .Build();
        var run = Run(pipeline, cancellationToken: cts.Token);
        await started.Task;
        await cts.CancelAsync();
        var result = await run;
        Assert.Equal(StageStatus.Cancelled, result.Status);
        Assert.Equal("cancelled", Manifest("01_wait").Status);
        Assert.Equal("cancelled", Manifest("02_never").Status);
        Assert.Equal("run cancelled before the stage started", Manifest("02_never").StatusReason);
    }

    [Fact]
    public async Task A_rerun_rewrites_the_manifest_instead_of_appending_and_counts_attempts()
    {
        var pipeline = new PipelineBuilder("again", _temp.Path)
            .Stage("01_make", Stage(async (ctx, ct) =>
            {
                await File.WriteAllTextAsync(ctx.OutputPath("a"), "a", ct);
                ctx.TrackOutput(ctx.OutputPath("a"), "text");
                ctx.AddWarning("same warning each time");
            }), s => s.Output("a", "a.txt"))
            .Build();
        await Run(pipeline);
        // Unchanged, the stage is up to date; forced, it runs again.
        await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), Force = ["all"] }, CancellationToken.None);
        var manifest = Manifest("01_make");
        Assert.Equal(["forced (--force all)"], manifest.Reasons);
        Assert.Equal(2, manifest.Attempt);
        Assert.Single(manifest.Outputs);
        Assert.Single(manifest.Warnings);
    }

    [Fact]
    public async Task Sha256_is_used_when_the_pipeline_asks_for_it()
    {
        var pipeline = new PipelineBuilder("sha", _temp.Path)
            .Checksum(Hashing.ChecksumAlgorithm.Sha256)
            .Stage("01_make", Stage(async (ctx, ct) => await File.WriteAllTextAsync(ctx.OutputPath("a"), "abc", ct)), s => s.Output("a", "a.txt"))
            .Build();
        await Run(pipeline);
        Assert.Equal("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Manifest("01_make").Outputs.Single().Checksum);
    }

    [Fact]
    public async Task Child_processes_started_by_a_code_stage_count_towards_its_cpu_time()
    {
        var pipeline = new PipelineBuilder("cpu", _temp.Path)
            .Stage("01_burn", Stage(async (ctx, ct) =>
            {
                var result = await ctx.RunProcessAsync("/bin/sh", ["-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; echo burnt"], ct);
                if (result.ExitCode != 0) throw new StageFailedException("burn failed");
            }))
            .Build();
        await Run(pipeline);
        var manifest = Manifest("01_burn");
        Assert.Equal("in-process+children", manifest.Resources.MeasuredBy);
        Assert.True(manifest.Resources.CpuSeconds >= 0.1, $"cpu {manifest.Resources.CpuSeconds}");
        Assert.Contains("stdout| burnt", File.ReadAllText(_temp.Combine("out", "job", "01_burn", "stage.log")));
        _ = JsonNode.Parse("{}");
    }
}
