using System.CommandLine;
using System.Globalization;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Media;

namespace Waybill.Cli.Commands;

/// <summary>
/// <c>waybill subtitle VIDEO|FOLDER...</c>: the shipped subtitle pipeline with its common settings as options. One video
/// is one job as always; several (or a folder) are one job too, with the pipeline run once per video (a season).
/// </summary>
internal static class SubtitleCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var video = new Argument<string[]>("videos")
        {
            Description = "The video (or audio) file to subtitle; several files or a folder (its video files) run as one job, per video",
            Arity = ArgumentArity.OneOrMore,
        };
        var outRoot = CommonOptions.Out();
        var jobId = new Option<string?>("--job-id") { Description = "Job id (folder name under --out); generated when omitted" };
        var language = new Option<string>("--lang") { Description = "Spoken language (ISO 639-1)", DefaultValueFactory = _ => "en" };
        var translateTo = new Option<string?>("--translate-to") { Description = "Also make subtitles in this language (needs an OpenAI-compatible chat endpoint)" };
        var asr = new Option<string?>("--asr")
        {
            Description = "Speech recogniser: auto (Whisper when a model is fetched, else PocketSphinx; the default), whisper, pocketsphinx, " +
                "command (WhisperX, whisper.cpp) or openai",
        };
        asr.AcceptOnlyFromAmong("auto", "whisper", "pocketsphinx", "command", "openai");
        var title = new Option<string?>("--title") { Description = "Title for TMDB, e.g. \"Movie (2019)\"; parsed from the file name when omitted" };
        var glossary = new Option<string?>("--glossary") { Description = "Names and terms to keep (TSV or CSV: term[,translation[,kind]])" };
        var start = new Option<double?>("--start") { Description = "Only from this second of the input" };
        var end = new Option<double?>("--end") { Description = "Only up to this second of the input" };
        var pipelineFile = new Option<string?>("--pipeline") { Description = "Use this pipeline file instead of the shipped one (see 'waybill init subtitles')" };
        var set = new Option<string[]>("--set") { Description = "Any other config: key=value or stage.key=value; repeatable" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Run up to N independent stages at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var debug = new Option<bool>("--debug") { Description = "Show DEBUG lines on the console too" };
        var keepGoing = new Option<bool>("--keep-going", "-k") { Description = "After a failure, still run stages that do not depend on it" };
        var lineage = CommonOptions.OpenLineage();

        var command = new Command("subtitle", "Make subtitles for a video (or each video of a folder): demux, VAD, speech recognition, cleanup, SRT/WebVTT, mux")
        {
            video, outRoot, jobId, language, translateTo, asr, title, glossary, start, end, pipelineFile, set, jobs, debug, keepGoing,
        };
        lineage.AddTo(command);
        var rerun = new RerunOptions();
        rerun.AddTo(command);
        var resources = new ResourceOptions();
        resources.AddTo(command);
        var cache = new CacheOptions();
        cache.AddTo(command);
        var catalog = new CatalogOptions();
        catalog.AddTo(command);
        var otlp = TelemetryOption.Create();
        command.Add(otlp);
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var videos = SubtitleVideos.From(parse.GetValue(video)!);
            var overrides = new List<string> { $"language={parse.GetValue(language)}" };
            // Without --asr the pipeline file's backend holds (auto in the shipped one).
            if (parse.GetValue(asr) is { Length: > 0 } backend) overrides.Add($"06_asr.backend={backend}");
            if (parse.GetValue(translateTo) is { Length: > 0 } target) overrides.Add($"translate_to={target}");
            if (parse.GetValue(title) is { Length: > 0 } name) overrides.Add($"title={name}");
            if (parse.GetValue(glossary) is { Length: > 0 } terms)
            {
                var path = Path.GetFullPath(terms);
                if (!File.Exists(path)) throw new CliException($"glossary not found: {path}");
                overrides.Add($"03_glossary_load.glossary_file={path}");
            }
            if (parse.GetValue(start) is { } from) overrides.Add($"start={from.ToString(CultureInfo.InvariantCulture)}");
            if (parse.GetValue(end) is { } to) overrides.Add($"end={to.ToString(CultureInfo.InvariantCulture)}");
            // One video is config 'video'; a season's videos are the items of the first stage instead (SeasonPipeline).
            if (!videos.IsSeason) overrides.Insert(0, $"video={videos.Paths[0]}");
            overrides.AddRange(parse.GetValue(set) ?? []);

            var custom = parse.GetValue(pipelineFile);
            var builtIn = Path.Combine(Environment.CurrentDirectory, "subtitles (built in)", SubtitlePipeline.FileName);
            var definition = custom is null
                ? PipelineFileLoader.Parse(SubtitlePipeline.Yaml, builtIn, overrides, Builtins.Create(), Environment.CurrentDirectory)
                : await PipelineLoading.LoadAsync(custom, overrides, cancellationToken);
            if (videos.IsSeason)
            {
                var path = custom is null ? builtIn : definition.SourcePath!;
                // The text the loader read (within the pipeline file limit) and validated, not the file read again, unbounded.
                var yaml = custom is null ? SubtitlePipeline.Yaml
                    : definition.SourceText ?? throw new InvalidOperationException("a pipeline loaded from a file keeps its text");
                definition = PipelineFileLoader.Parse(SeasonPipeline.ForVideos(yaml, path, videos.Paths), path, overrides, Builtins.Create(),
                    definition.BaseDirectory);
            }
            ConsoleSecrets.Learn(definition);
            var settings = new PipelineExecution.Settings(parse.GetValue(jobId), parse.GetValue(outRoot)!, parse.GetValue(jobs),
                parse.GetValue(keepGoing), LegacyStageLogs: false, parse.GetValue(debug), overrides, lineage.Read(parse))
            {
                Rerun = rerun.Read(parse), Resources = resources.Read(parse), Cache = cache.Read(parse), Catalog = catalog.Read(parse),
                OtlpEndpoint = parse.GetValue(otlp),
                Table = videos.IsSeason ? (writer, run, optional) => VideoSummary.PrintTable(writer, run, optional, videos.Paths) : null,
            };
            var (result, code) = await PipelineExecution.RunAsync(definition, settings, output, cancellationToken);
            if (videos.IsSeason) VideoSummary.PrintProducts(output, result, videos.Paths, PipelineExecution.Relative);
            else PrintProducts(output, result);
            return code;
        }));
        return command;
    }

    /// <summary>Where the subtitle files and the muxed video are, read from the stages' manifests.</summary>
    private static void PrintProducts(TextWriter output, RunResult result)
    {
        foreach (var stage in result.Stages.Select(s => s.Manifest))
        {
            if (stage.Kind == "builtin:media.asr" && Recogniser(result, stage) is { } recogniser) output.WriteLine($"Speech:       {recogniser}");
            if (stage.Status != "success") continue;
            foreach (var file in stage.Outputs)
            {
                if (file.Format is "srt" or "vtt")
                    output.WriteLine($"Subtitles:    {PipelineExecution.Relative(Path.Combine(result.JobDir, file.Path))}");
                else if (file.Type == "video")
                    output.WriteLine($"Video:        {PipelineExecution.Relative(Path.Combine(result.JobDir, file.Path))}");
            }
        }
    }

    /// <summary>
    /// 256 MiB: a transcript holds each word with its times, a few megabytes for a long film; far more is not one.
    /// </summary>
    private const int TranscriptMaxBytes = 256 << 20;

    /// <summary>
    /// The backend that recognised the speech (the one auto chose) and, for Whisper, its model file: "whisper
    /// (ggml-base.en.bin)", "pocketsphinx". Read from the stage's transcript, which a result restored from the cache has too.
    /// </summary>
    private static string? Recogniser(RunResult result, Waybill.Core.Manifests.StageManifest asr)
    {
        if (asr.Outputs.FirstOrDefault(o => o.Name == "transcript") is not { } output) return null;
        try
        {
            // Only a label: a transcript too large to be one (a link to a device) leaves it out.
            var path = Path.Combine(result.JobDir, output.Path);
            if (!Waybill.Core.IO.BoundedFileRead.TryReadAllBytes(path, TranscriptMaxBytes, out var bytes)) return null;
            using var json = System.Text.Json.JsonDocument.Parse(bytes);
            var root = json.RootElement;
            var backend = root.TryGetProperty("backend", out var b) ? b.GetString() : null;
            var model = root.TryGetProperty("model", out var m) ? m.GetString() : null;
            if (string.IsNullOrEmpty(backend)) return null;
            return backend == "whisper" && !string.IsNullOrEmpty(model) ? $"{backend} ({Path.GetFileName(model)})" : backend;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
