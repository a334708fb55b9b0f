using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Costs;
using Waybill.Core.Processes;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>
/// What a running stage sees: its logger, its folders, its config, path helpers for declared inputs and outputs,
/// and the seeds' StageIO operations (track input/output/intermediate, config, warnings, errors, resources, finalize).
/// Every call is thread-safe.
/// </summary>
public sealed class StageContext
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, FileRecord> _tracked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _absent = new(StringComparer.Ordinal);
    private readonly Redactor _redactor;
    private readonly TimeProvider _time;

    internal StageContext(StageDefinition definition, PipelineDefinition pipeline, JobLayout layout, StageManifest manifest, ILogger logger, Redactor redactor, TimeProvider time, JsonObject config)
    {
        Definition = definition;
        Pipeline = pipeline;
        Layout = layout;
        Manifest = manifest;
        Logger = logger;
        _redactor = redactor;
        _time = time;
        Config = config;
    }

    public ILogger Logger { get; }
    public StageDefinition Definition { get; }
    public PipelineDefinition Pipeline { get; }
    public JobLayout Layout { get; }
    internal StageManifest Manifest { get; }

    /// <summary>
    /// The run's checksum cache, when the engine hands one over: a stage that hashes the bytes it writes remembers
    /// the checksum there, so the engine does not read the file again when it records the stage's outputs.
    /// </summary>
    internal ChecksumCache? Checksums { get; init; }

    /// <summary>The run's bundled Python client, put first on PYTHONPATH for the stage's commands.</summary>
    internal PythonClient? PythonClient { get; init; }

    /// <summary>The run's record of folders it made once for all stages; null: each stage run makes them.</summary>
    internal IO.FoldersMade? Folders { get; init; }

    /// <summary>What the scheduler gave this stage: threads, memory, GPUs.</summary>
    internal Resources.ResourceGrant Grant { get; init; } = Resources.ResourceGrant.Default;

    /// <summary>
    /// The CPU threads this stage was given (its <c>threads</c>, 1 by default): size thread pools and worker counts by it.
    /// Its commands see it as OMP_NUM_THREADS, WAYBILL_THREADS and the like.
    /// </summary>
    public int Threads => Grant.Threads;

    /// <summary>The GPUs this stage was given, as CUDA_VISIBLE_DEVICES names them; empty when it asked for none.</summary>
    public IReadOnlyList<string> GpuDevices => Grant.GpuDevices;

    public string StageId => Definition.Id;
    public string StageName => Definition.Name;
    public int StageNumber => Definition.Number;
    public string JobDir => Layout.Root;
    public string StageDir => Layout.StageDir(Definition.Id);
    /// <summary><c>NN_name/.cache/</c>: for intermediates; created on first use.</summary>
    public string CacheDir
    {
        get
        {
            var dir = Layout.StageCacheDir(Definition.Id);
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>The stage's effective config (pipeline config, stage config, --set overrides). Recorded in the manifest.</summary>
    public JsonObject Config { get; }

    /// <summary>A config value by dotted key, or <paramref name="fallback"/> when absent.</summary>
    public T? GetConfig<T>(string key, T? fallback = default)
    {
        var node = Placeholders.Lookup(Config, key);
        if (node is null) return fallback;
        try
        {
            return JsonValues.To<T>(node);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            throw new Stages.StageFailedException($"config '{key}' of stage {StageId} is {node.ToJsonString()}, not a {typeof(T).Name}");
        }
    }

    /// <summary>
    /// The file behind a declared input: an upstream stage's output or an external file. An absent optional input
    /// (see <see cref="HasInput"/>) has no file to read: asking for it fails the stage with the reason.
    /// </summary>
    public string InputPath(string name)
    {
        var input = Definition.Inputs.FirstOrDefault(i => i.Name == name)
            ?? throw new ArgumentException($"stage {StageId} declares no input '{name}'; declared: {string.Join(", ", Definition.Inputs.Select(i => i.Name))}", nameof(name));
        if (AbsenceOf(name) is { } why)
            throw new Stages.StageFailedException($"optional input '{name}' is absent ({why}): check HasInput(\"{name}\") before reading it");
        return ResolveInput(Pipeline, Layout, input);
    }

    /// <summary>The item this stage run is for, when its stage fans out (<c>foreach:</c>); null for a stage that runs once.</summary>
    public Waybill.Core.Pipeline.FanOut.FanOutItem? Item => Definition.Item;

    /// <summary>
    /// The files of a gather input (<c>all: 06_asr.segments[*]</c>) in item order: one per item whose stage run produced
    /// it (for an optional gather, the items that failed are left out and listed in <c>absent_inputs</c>).
    /// </summary>
    public IReadOnlyList<string> GatheredPaths(string name) =>
        [.. Definition.Inputs.Where(i => i.GatherName == name && AbsenceOf(i.Name) is null).Select(i => ResolveInput(Pipeline, Layout, i))];

    /// <summary><c>{in.all.list}</c>: the gather's paths one per line, in the stage's <c>.cache/</c> folder (written on first use).</summary>
    internal string GatherListPath(string name)
    {
        var path = Path.Combine(CacheDir, "inputs", name + ".list");
        lock (_gate)
        {
            if (_lists.Contains(name)) return path;
            var paths = GatheredPaths(name);
            if (paths.FirstOrDefault(p => p.Contains('\n', StringComparison.Ordinal)) is { } odd)
                throw new Stages.StageFailedException($"{Waybill.Core.Pipeline.FanOut.ItemList.Printable(odd)} has a newline in its name, so it cannot be "
                    + $"listed one per line in {{in.{name}.list}}; use {{in.{name}}} (each path a separate argument) or rename the file");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            IO.AtomicFile.WriteAllText(path, string.Concat(paths.Select(p => p + "\n")));
            _lists.Add(name);
        }
        return path;
    }

    private readonly HashSet<string> _lists = new(StringComparer.Ordinal);

    /// <summary>Where a declared output must be written (inside this stage's folder).</summary>
    public string OutputPath(string name)
    {
        var output = Definition.Outputs.FirstOrDefault(o => o.Name == name)
            ?? throw new ArgumentException($"stage {StageId} declares no output '{name}'; declared: {string.Join(", ", Definition.Outputs.Select(o => o.Name))}", nameof(name));
        var path = Path.GetFullPath(Path.Combine(StageDir, output.Path));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Any file inside this stage's folder, declared or not (e.g. <c>metadata.json</c>).</summary>
    public string StagePath(string relativePath)
    {
        if (PipelineValidator.OutputPathProblem(relativePath) is { } problem)
            throw new ArgumentException($"'{relativePath}' {problem}", nameof(relativePath));
        return Path.GetFullPath(Path.Combine(StageDir, relativePath));
    }

    internal static string ResolveInput(PipelineDefinition pipeline, JobLayout layout, InputDeclaration input)
    {
        if (input.FromStage is not null)
        {
            var producer = pipeline.Find(input.FromStage)!;
            var output = producer.Outputs.First(o => o.Name == input.FromOutput);
            return Path.GetFullPath(Path.Combine(layout.StageDir(producer.Id), output.Path));
        }
        var path = input.ExternalPath!;
        if (!input.PathIsFinal && path.Contains("{config.", StringComparison.Ordinal))
        {
            var stage = pipeline.Stages.First(s => s.Inputs.Contains(input));
            var config = pipeline.ConfigFor(stage);
            path = Placeholders.ExpandRaw(path, (scope, key) => scope == "config" ? ConfigText(Placeholders.Lookup(config, key)) : null);
        }
        return Path.GetFullPath(Path.Combine(pipeline.BaseDirectory, path));
    }

    private static string? ConfigText(System.Text.Json.Nodes.JsonNode? node) =>
        node is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString();

    /// <summary>
    /// True when the declared input's file is there to read. An optional input whose producer failed, was skipped or
    /// cancelled is absent, even when an earlier run's file is still in the producer's folder.
    /// </summary>
    public bool HasInput(string name) => AbsenceOf(name) is null && File.Exists(InputPath(name));

    /// <summary>Why an optional input is absent for this stage, or null when it is not.</summary>
    internal string? AbsenceOf(string name)
    {
        lock (_gate) return _absent.GetValueOrDefault(name);
    }

    /// <summary>An optional input the stage runs without: its manifest's <c>absent_inputs</c> say which and why.</summary>
    internal void MarkAbsent(InputDeclaration input, string? fromStage, string reason)
    {
        lock (_gate)
        {
            _absent[input.Name] = reason;
            Manifest.AbsentInputs ??= [];
            Manifest.AbsentInputs.Add(new AbsentInput
            {
                Name = input.Name, FromStage = fromStage, FromOutput = input.FromOutput, Reason = _redactor.Redact(reason),
            });
        }
    }

    public FileRecord TrackInput(string path, string type, string? format = null, IEnumerable<KeyValuePair<string, object?>>? metadata = null, string? name = null) =>
        Track(Manifest.Inputs, path, type, format, metadata, name);

    /// <summary>Records a file the stage produced. Outputs live in the job folder: a path outside it, or reached through a link
    /// that leads out of it, is refused (<see cref="ArgumentException"/>), as a declared output would be.</summary>
    public FileRecord TrackOutput(string path, string type, string? format = null, IEnumerable<KeyValuePair<string, object?>>? metadata = null,
        string? name = null)
    {
        var full = Path.GetFullPath(path, StageDir);
        const string Instead = "write it into the stage folder, or record a file elsewhere with TrackInput";
        if (OutputLinks.OutsideJob(Layout, full, $"'{Text.PrintableText.Of(path)}'", Instead) is { } outside) throw new ArgumentException(outside, nameof(path));
        return Track(Manifest.Outputs, path, type, format, metadata, name);
    }

    /// <summary>A cache or temp file; <paramref name="retained"/> says whether it is kept after the stage, <paramref name="reason"/> why.</summary>
    public FileRecord TrackIntermediate(string path, string type = "intermediate", bool retained = true, string? reason = null, IEnumerable<KeyValuePair<string, object?>>? metadata = null)
    {
        var record = Track(Manifest.IntermediateFiles, path, type, null, metadata, null);
        lock (_gate)
        {
            record.Retained = retained;
            record.Reason = reason;
        }
        return record;
    }

    private FileRecord Track(List<FileRecord> list, string path, string type, string? format, IEnumerable<KeyValuePair<string, object?>>? metadata, string? name)
    {
        var full = Path.GetFullPath(path, StageDir);
        var key = ListKey(list) + full;
        lock (_gate)
        {
            // Tracking a file twice updates it: lists never hold the same file twice, and a re-run starts from an empty manifest.
            if (!_tracked.TryGetValue(key, out var record))
            {
                var relative = Layout.RelativeToJob(full);
                record = new FileRecord { Type = type, Path = relative ?? full, Location = relative is null ? "external" : "job" };
                _tracked[key] = record;
                list.Add(record);
            }
            record.Type = type;
            record.Name = name ?? record.Name;
            record.Format = format ?? record.Format ?? FormatOf(full);
            if (JsonValues.Object(metadata) is { } extra)
            {
                if (FileRecordFields.TakenBy(extra.Select(p => p.Key)) is { Count: > 0 } taken)
                    throw new ArgumentException($"The metadata of '{path}' names {string.Join(", ", taken.Select(k => $"'{k}'"))}, which the engine "
                        + "records itself for every file; give the figure another name.", nameof(metadata));
                record.Metadata ??= [];
                foreach (var (k, v) in extra) record.Metadata[k] = JsonValues.Element(v);
            }
            return record;
        }
    }

    private string ListKey(List<FileRecord> list) => ReferenceEquals(list, Manifest.Inputs) ? "i:" : ReferenceEquals(list, Manifest.Outputs) ? "o:" : "m:";

    internal static string? FormatOf(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Length > 1 ? extension[1..].ToLowerInvariant() : null;
    }

    internal bool IsTracked(List<FileRecord> list, string fullPath)
    {
        lock (_gate) return _tracked.ContainsKey(ListKey(list) + fullPath);
    }

    internal string FullPathOf(FileRecord record) => Layout.Resolve(record.Path);

    /// <summary>Replaces the recorded config (the effective config stays readable through <see cref="Config"/>).</summary>
    public void SetConfig(IEnumerable<KeyValuePair<string, object?>> values)
    {
        lock (_gate)
        {
            Manifest.Config.Clear();
            foreach (var (key, value) in values) Manifest.Config[key] = Mask(key, JsonValues.From(value));
        }
    }

    public void AddConfig(string key, object? value)
    {
        lock (_gate) Manifest.Config[key] = Mask(key, JsonValues.From(value));
    }

    internal JsonNode? Mask(string key, JsonNode? value) => Secrets.ConfigMask.Mask(key, value, Pipeline.SecretConfig, _redactor);

    /// <summary>Where <see cref="ReportProgress"/> goes (the run's progress display); null: nowhere.</summary>
    internal IProgress<StageProgress>? ProgressSink { get; init; }

    /// <summary>
    /// Tells the run how far the stage is (<c>ReportProgress(3, 8, "segments")</c>): a terminal shows it as a bar with the
    /// time left while the stage runs. Cheap enough to call for every unit of work; nothing is recorded.
    /// </summary>
    public void ReportProgress(long done, long total, string unit = "items")
    {
        if (total <= 0 || ProgressSink is not { } sink) return;
        sink.Report(new StageProgress(StageId, Math.Clamp(done, 0, total), total, unit));
    }

    /// <summary>Records a warning (with time) and logs it at WARNING.</summary>
    public void AddWarning(string message, Exception? exception = null)
    {
        Logger.LogWarning(exception, "{Message}", message);
        lock (_gate) Manifest.Warnings.Add(Problem(message, exception));
    }

    /// <summary>Records an error (with time and exception) and logs it at ERROR. The stage still decides whether it fails.</summary>
    public void AddError(string message, Exception? exception = null)
    {
        Logger.LogError(exception, "{Message}", message);
        lock (_gate) Manifest.Errors.Add(Problem(message, exception));
    }

    /// <summary>
    /// A warning or error a stage's own process sent over its channel: logged, and recorded with the time and the
    /// exception text it sent (a traceback goes to <c>stack_trace</c>).
    /// </summary>
    internal void AddReported(LogLevel level, string message, DateTimeOffset? at, string? exceptionText, string? exceptionType,
        string? exceptionMessage)
    {
        Logger.Log(level, exceptionText is null ? null : new Protocol.ReportedException(exceptionText), "{Message}", message);
        var record = new ProblemRecord
        {
            Timestamp = at ?? _time.GetUtcNow(),
            Message = _redactor.Redact(message),
            ExceptionType = exceptionType is null ? null : _redactor.Redact(exceptionType),
            ExceptionMessage = exceptionMessage is null ? null : _redactor.Redact(exceptionMessage),
            StackTrace = exceptionText is null ? null : _redactor.Redact(exceptionText),
        };
        lock (_gate) (level >= LogLevel.Error ? Manifest.Errors : Manifest.Warnings).Add(record);
    }

    internal string RedactText(string text) => _redactor.Redact(text);

    internal TimeProvider Time => _time;

    internal ProblemRecord Problem(string message, Exception? exception) => new()
    {
        Timestamp = _time.GetUtcNow(),
        Message = _redactor.Redact(message),
        ExceptionType = exception?.GetType().FullName,
        ExceptionMessage = exception is null ? null : _redactor.Redact(exception.Message),
        StackTrace = exception?.StackTrace is { } trace ? _redactor.Redact(trace) : null,
    };

    /// <summary>Adds a figure to <c>resources</c> (e.g. <c>model_load_seconds</c>, <c>cost_usd</c>).</summary>
    public void SetResource(string key, object? value)
    {
        lock (_gate)
        {
            Manifest.Resources.Extra ??= [];
            Manifest.Resources.Extra[key] = JsonValues.Element(JsonValues.From(value));
        }
    }

    /// <summary>
    /// Records that the stage used <paramref name="quantity"/> of <paramref name="unit"/> (<c>ReportUsage("tokens", 1234)</c>):
    /// added up in <c>resources.usage</c>, priced when the run's rate card names the unit (declare it: <c>reports: [tokens]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The unit is not a unit name, or the quantity is negative or not a number.</exception>
    public void ReportUsage(string unit, double quantity)
    {
        if (UsageUnits.Problem(unit) is { } problem) throw new ArgumentException($"{problem}: {UsageUnits.Rule}", nameof(unit));
        if (!double.IsFinite(quantity) || quantity < 0)
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "a quantity is a number, zero or more");
        lock (_gate)
        {
            Manifest.Resources.Usage ??= new Dictionary<string, double>(StringComparer.Ordinal);
            Manifest.Resources.Usage[unit] = Manifest.Resources.Usage.GetValueOrDefault(unit) + quantity;
        }
    }

    /// <summary>Marks that the stage ran on a GPU (recorded as <c>resources.gpu_used</c>).</summary>
    public void SetGpuUsed(bool used = true)
    {
        lock (_gate) Manifest.Resources.GpuUsed = used;
    }

    /// <summary>Records the version of a tool the stage used.</summary>
    /// <summary>Records a tool's version; with the command that printed it, a later run can ask again to tell whether the stage is up to date.</summary>
    public void SetToolVersion(string tool, string version, string? versionCommand = null)
    {
        lock (_gate)
        {
            Manifest.ToolVersions[tool] = _redactor.Redact(version);
            if (versionCommand is not null) ToolCommands[tool] = versionCommand;
        }
    }

    internal Dictionary<string, string> ToolCommands { get; } = new(StringComparer.Ordinal);

    internal StageStatus? FinalStatus { get; private set; }
    internal string? FinalReason { get; private set; }
    internal JsonObject? Summary { get; private set; }

    /// <summary>
    /// Ends the stage with a status of its choice (e.g. <c>Skipped</c> with a reason, or <c>Failed</c> after
    /// recording errors). Without it the engine decides: success, failed on an exception, cancelled on cancellation.
    /// </summary>
    public void Finalize(StageStatus status, string? reason = null, IEnumerable<KeyValuePair<string, object?>>? summary = null)
    {
        lock (_gate)
        {
            FinalStatus = status;
            FinalReason = reason;
            Summary = JsonValues.Object(summary);
        }
    }

    private readonly List<ProcessResult> _processes = [];

    internal IReadOnlyList<ProcessResult> Processes
    {
        get { lock (_gate) return [.. _processes]; }
    }

    /// <summary>
    /// Runs a program for this stage: its stdout and stderr go line by line to stage.log, its CPU time and
    /// peak memory count towards the stage's resources. Returns the result; a non-zero exit is not an exception.
    /// </summary>
    /// <param name="standardOutput">When given, receives stdout line by line instead of stage.log (e.g. ffprobe's JSON).</param>
    public async Task<ProcessResult> RunProcessAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, Action<string>? standardOutput = null)
    {
        var args = arguments.ToList();
        Logger.LogDebug("running {Command}", _redactor.Redact(string.Join(' ', args.Prepend(fileName).Select(Placeholders.ShellQuote))));
        var spec = Sampled(new ProcessSpec(fileName, args, workingDirectory ?? StageDir, environment ?? CommandEnvironment()));
        // Output that goes to stage.log follows the stage's size policy; output the stage reads is only cut at long lines.
        var limits = StageOutput.Limits(this);
        var result = await MeasuredProcess.RunAsync(spec, standardOutput ?? (line => Logger.LogDebug("stdout| {Line}", line)),
            line => Logger.LogDebug("stderr| {Line}", line),
            cancellationToken, standardOutput is null ? limits : OutputLimits.LinesOnly, limits, Logger);
        RecordProcess(result);
        StageOutput.Report(this, result, limits);
        return result;
    }

    internal void RecordProcess(ProcessResult result)
    {
        lock (_gate) _processes.Add(result);
        Sampling?.RootEnded(result);
    }

    /// <summary>The sampling of this stage run's processes; null when sampling is off.</summary>
    internal Resources.Sampling.SampleWatch? Sampling { get; init; }

    /// <summary>Figures of the cgroup v2 the stage's command ran in, when it had one of its own.</summary>
    internal Resources.CgroupFigures? Cgroup { get; set; }

    /// <summary>What a process spec of this stage carries so that the process is sampled from its start.</summary>
    internal ProcessSpec Sampled(ProcessSpec spec) => Sampling is { } watch ? spec with { Started = watch.AddRoot } : spec;

    /// <summary>An environment variable as this stage's commands see it (stage env, pipeline env, then the engine's); null when unset or empty.</summary>
    public string? EnvironmentVariable(string name)
    {
        var value = Definition.Env.GetValueOrDefault(name) ?? Pipeline.Env.GetValueOrDefault(name) ?? s_environment.Value.GetValueOrDefault(name);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The PATH commands of this stage search.</summary>
    public string? CommandPath() =>
        Definition.Env.GetValueOrDefault("PATH") ?? Pipeline.Env.GetValueOrDefault("PATH") ?? s_environment.Value.GetValueOrDefault("PATH");

    /// <summary>A fresh copy of the engine's environment, read once per process: every command stage starts from it.</summary>
    internal static Dictionary<string, string> CurrentEnvironment() => new(s_environment.Value, StringComparer.Ordinal);

    private static readonly Lazy<Dictionary<string, string>> s_environment = new(() =>
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = (string?)entry.Value ?? "";
        return result;
    });

    // The engine's environment with the pipeline's env: and a grant's variables, made once per pipeline and grant: every
    // stage of a fan-out starts from the same one.
    private static readonly ConditionalWeakTable<IReadOnlyDictionary<string, string>, ConcurrentDictionary<string, Processes.SharedEnvironment>>
        s_shared = [];

    private Processes.SharedEnvironment SharedEnvironment() =>
        s_shared.GetValue(Pipeline.Env, static _ => new(StringComparer.Ordinal)).GetOrAdd(
            Resources.ResourceEnvironment.Key(Grant), static (_, context) =>
        {
            var variables = CurrentEnvironment();
            foreach (var (key, value) in context.Pipeline.Env) variables[key] = value;
            Resources.ResourceEnvironment.Apply(variables, context.Grant, context.Pipeline.Env);
            return new Processes.SharedEnvironment(variables);
        }, this);

    private Protocol.StageChannel? _channel;

    /// <summary>The stage's channel, opened by the first command it starts (see <see cref="CommandEnvironment"/>).</summary>
    internal Protocol.StageChannel Channel
    {
        get
        {
            // The channel has the budget of an output stream; a setting that is not a size fails the stage here already.
            lock (_gate) return _channel ??= Protocol.StageChannel.Open(this, StageOutput.Limits(this));
        }
    }

    /// <summary>Reads the rest of the channel into the records and removes it, once the stage's commands have exited.</summary>
    internal void CloseChannel()
    {
        Protocol.StageChannel? channel;
        lock (_gate) channel = _channel;
        channel?.Close();
    }

    /// <summary>
    /// The engine's environment, the pipeline's and stage's <c>env:</c>, WAYBILL_* variables naming the stage's files, and
    /// the stage channel (WAYBILL_STAGE_CHANNEL, WAYBILL_PROTOCOL) through which its processes record what a C# stage records.
    /// </summary>
    internal Processes.LayeredEnvironment CommandEnvironment()
    {
        var environment = new Processes.LayeredEnvironment(SharedEnvironment());
        foreach (var (key, value) in Definition.Env) environment[key] = value;
        Resources.ResourceEnvironment.AfterStageEnv(environment, Grant, Definition.Env);
        environment["WAYBILL_JOB_DIR"] = JobDir;
        environment["WAYBILL_JOB_ID"] = Layout.JobId;
        environment["WAYBILL_STAGE_DIR"] = StageDir;
        environment["WAYBILL_STAGE_ID"] = StageId;
        environment["WAYBILL_STAGE_NAME"] = StageName;
        environment[Protocol.StageChannel.Variable] = Channel.Path;
        environment["WAYBILL_PROTOCOL"] = "1";
        // Lets a later run find processes a killed run left behind (see LeftoverRun).
        environment["WAYBILL_RUN_ID"] = Manifest.RunId;
        // A gather's files are listed in one file, not one variable each: thousands of variables would not fit exec's limit.
        foreach (var input in Definition.Inputs.Where(i => i.GatherName is null && !i.Gather))
            environment["WAYBILL_IN_" + EnvName(input.Name)] = AbsenceOf(input.Name) is null ? InputPath(input.Name) : "";
        var gathers = Definition.Inputs.Select(i => i.GatherName ?? (i.Gather ? i.Name : null)).OfType<string>().Distinct(StringComparer.Ordinal);
        foreach (var gather in gathers)
            environment["WAYBILL_IN_" + EnvName(gather) + "_LIST"] = GatherListPath(gather);
        if (Definition.Item is { } item)
        {
            environment["WAYBILL_ITEM_KEY"] = item.Key;
            environment["WAYBILL_ITEM_VALUE"] = item.Value;
            if (item.Path is not null) environment["WAYBILL_ITEM_PATH"] = item.Path;
        }
        foreach (var output in Definition.Outputs) environment["WAYBILL_OUT_" + EnvName(output.Name)] = OutputPath(output.Name);
        AddPythonClient(environment);
        return environment;
    }

    /// <summary><c>import waybill</c> finds the client bundled with this engine first, then the stage's own PYTHONPATH.</summary>
    private void AddPythonClient(Processes.LayeredEnvironment environment)
    {
        if (PythonClient is null) return;
        var (folder, problem) = PythonClient.FolderFor(Layout);
        if (folder is not null) environment["PYTHONPATH"] = PythonClient.PythonPath(folder, environment.GetValueOrDefault("PYTHONPATH"));
        // Once per stage: a C# stage builds this environment for every process it starts.
        else if (problem is not null && !Interlocked.Exchange(ref _pythonClientWarned, true)) AddWarning(problem);
    }

    private bool _pythonClientWarned;

    private static string EnvName(string name) => name.ToUpperInvariant().Replace('-', '_');
}
