using System.Text.Json.Nodes;
using Waybill.Core.Hashing;
using Waybill.Core.Stages;
using Waybill.Core.Pipeline.Limits;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Pipeline;

/// <summary>
/// Reads <c>waybill.yaml</c>. Every problem is reported with file:line:column and the field it concerns;
/// all problems are collected before failing so one edit fixes them all.
/// </summary>
public sealed class PipelineFileLoader
{
    private static readonly string[] TopKeys = ["name", "description", "config", "env", "secrets", "checksum", "cost", "stages"];
    private static readonly string[] StageKeys =
        [.. new[] { "id", "description", "run", "uses", "inputs", "outputs", "config", "env", "after", "tools", "foreach", "reports" }
            .Concat(Controls.StageControlsReader.Keys)];
    private static readonly string[] PortKeys = ["from", "path", "type", "format", "optional"];
    private static readonly string[] ForeachForms = ["files", "values", "lines", "json"];
    private static readonly string[] ForeachKeys = [.. ForeachForms, "allow_empty"];

    private readonly string _file;
    private readonly string _display;
    private readonly List<PipelineError> _errors = [];
    private readonly PipelineLimits _limits;
    private readonly CancellationToken _cancellationToken;
    private readonly YamlToJson _json;

    /// <param name="display">The file named in errors: the snapshot when a job's snapshot is read, else <paramref name="file"/>.</param>
    private PipelineFileLoader(string file, string display, PipelineLimits limits, CancellationToken cancellationToken)
    {
        _file = Path.GetFullPath(file);
        _display = display;
        _limits = limits;
        _cancellationToken = cancellationToken;
        _json = new YamlToJson(display, limits, cancellationToken);
    }

    /// <summary>Loads and validates a pipeline file; throws <see cref="PipelineInvalidException"/> listing every problem.</summary>
    /// <param name="limits">Bounds on size, nesting and aliases; null: the defaults as the environment raises them.</param>
    public static PipelineDefinition Load(string path, IEnumerable<string>? overrides = null, BuiltinStages? builtins = null,
        string? baseDirectory = null, PipelineLimits? limits = null, CancellationToken cancellationToken = default)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "waybill.yaml");
        if (!File.Exists(path))
            throw new PipelineInvalidException(new PipelineError($"pipeline file '{path}' does not exist", Hint: "give the path of a waybill.yaml, or run 'waybill validate' on one"));
        limits ??= PipelineLimits.FromEnvironment();
        string text;
        try
        {
            text = BoundedText.Read(path, limits, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PipelineInvalidException(new PipelineError($"cannot read pipeline file '{path}': {e.Message}"));
        }
        return Parse(text, path, overrides, builtins, baseDirectory, limits, cancellationToken);
    }

    public static PipelineDefinition Parse(string yaml, string path, IEnumerable<string>? overrides = null, BuiltinStages? builtins = null,
        string? baseDirectory = null, PipelineLimits? limits = null, CancellationToken cancellationToken = default) =>
        Build(yaml, path, path, overrides, builtins, baseDirectory, limits ?? PipelineLimits.FromEnvironment(), cancellationToken);

    /// <summary>
    /// A job's pipeline snapshot: errors name <paramref name="display"/> (the snapshot), the definition keeps the file it
    /// was run from.
    /// </summary>
    public static PipelineDefinition ParseSnapshot(string yaml, string display, string sourcePath, IEnumerable<string>? overrides,
        BuiltinStages? builtins, string? baseDirectory) =>
        Build(yaml, sourcePath, display, overrides, builtins, baseDirectory, PipelineLimits.FromEnvironment(), CancellationToken.None);

    private static PipelineDefinition Build(string yaml, string file, string display, IEnumerable<string>? overrides, BuiltinStages? builtins,
        string? baseDirectory, PipelineLimits limits, CancellationToken cancellationToken)
    {
        BoundedText.ThrowIfTooLarge(display, System.Text.Encoding.UTF8.GetByteCount(yaml), limits);
        var loader = new PipelineFileLoader(file, display, limits, cancellationToken);
        var definition = loader.Read(yaml, baseDirectory ?? Path.GetDirectoryName(Path.GetFullPath(file))!, builtins ?? BuiltinStages.Default);
        if (loader._errors.Count > 0 || definition is null) throw new PipelineInvalidException(loader._errors);
        if (overrides is not null && overrides.Any()) definition = ConfigOverrides.Apply(definition, overrides);
        var errors = PipelineValidator.Validate(definition);
        // The stages' own checks read each stage's merged config, which is only sound once the pipeline's shape is.
        if (errors.Count == 0) errors = BuiltinConfigChecks.Problems(definition, builtins ?? BuiltinStages.Default);
        if (errors.Count > 0) throw new PipelineInvalidException(errors);
        return FanOut.FanOutExpander.Expand(definition, limits);
    }

    private PipelineDefinition? Read(string yaml, string baseDirectory, BuiltinStages builtins)
    {
        var stream = new YamlStream();
        var parser = new BoundedParser(new Parser(new StringReader(yaml)), _display, _limits, _cancellationToken);
        try
        {
            stream.Load(parser);
        }
        catch (YamlException) when (FanOut.GatherSyntax.Quote(yaml) is var quoted && quoted != yaml && TryLoad(quoted) is { } gathered)
        {
            stream = gathered;
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            // YamlDotNet prefixes its own "(Line: …)" position; ours is in front already.
            var paren = reason.IndexOf("): ", StringComparison.Ordinal);
            if (reason.StartsWith("(Line:", StringComparison.Ordinal) && paren > 0) reason = reason[(paren + 3)..];
            Error($"YAML syntax error: {reason}", YamlValues.At(_display, e.Start), hint: "fix the YAML syntax at this position");
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these on a few inputs (found by the property tests: '- : x', a stray key in a flow mapping);
            // the last event read says where.
            Error("YAML syntax error: the YAML reader cannot build a value here (an empty key, or a key or value out of place)",
                YamlValues.At(_display, parser.Position), hint: "fix the YAML syntax at or after this position");
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Error("the pipeline file must be a YAML mapping with a 'stages' list",
                stream.Documents.Count == 0 ? new SourceLocation(_display, 1, 1) : YamlValues.At(_display, stream.Documents[0].RootNode));
            return null;
        }
        if (stream.Documents.Skip(1).FirstOrDefault(d => !IsEmpty(d.RootNode)) is { } second)
            Error("the file holds a second YAML document ('---' followed by more content), which would be ignored",
                YamlValues.At(_display, second.RootNode),
                hint: "a pipeline file is one document: remove the '---' line and merge or delete what follows it");
        if (Secrets.SnapshotMasker.FirstMasked(root) is { } masked)
        {
            Error("this value is a masked secret from a job's pipeline snapshot, not a value", YamlValues.At(_display, masked), hint:
                "a snapshot is run by 'waybill resume' or 'waybill exec-stage', which ask for its secrets; "
                + "in a pipeline file, write the value or read it from the environment");
            return null;
        }
        CheckKeys(root, TopKeys, "pipeline");
        var name = ScalarText(root, "name") ?? Path.GetFileNameWithoutExtension(_file);
        var config = MappingJson(root, "config", level: 2);
        var env = StringMap(root, "env");
        var secrets = StringList(root, "secrets");
        var checksum = ChecksumAlgorithm.XxHash128;
        if (Child(root, "checksum") is YamlScalarNode checksumNode && !ChecksumAlgorithmNames.TryParse(checksumNode.Value, out checksum))
            Error($"unknown checksum '{checksumNode.Value}'", YamlValues.At(_display, checksumNode), "checksum", "use xxh128 (default) or sha256");

        var stages = new List<StageDefinition>();
        switch (Child(root, "stages"))
        {
            case null:
                Error("the pipeline has no 'stages' list", YamlValues.At(_display, root), "stages", "add 'stages:' with at least one stage");
                break;
            case YamlSequenceNode list:
                _json.Spend(list, list.Children.Count);
                foreach (var item in list.Children)
                    if (ReadStage(item, builtins) is { } stage) stages.Add(stage);
                break;
            case var other:
                Error("'stages' must be a list", YamlValues.At(_display, other), "stages");
                break;
        }
        var rateCard = Child(root, "cost") is { } cost
            ? Costs.RateCardReader.Read(cost, stages.SelectMany(s => s.Reports).ToHashSet(StringComparer.Ordinal),
                (message, node, field, hint) => Error(message, YamlValues.At(_display, node), field, hint))
            : null;
        return new PipelineDefinition
        {
            Name = name,
            SourcePath = _file,
            SourceText = yaml,
            BaseDirectory = baseDirectory,
            Config = config,
            Env = env,
            SecretEnv = secrets,
            Checksum = checksum,
            RateCard = rateCard,
            Stages = stages,
        };
    }

    /// <summary>The document parsed from <paramref name="yaml"/>, or null when it is not valid YAML either.</summary>
    private YamlStream? TryLoad(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new BoundedParser(new Parser(new StringReader(yaml)), _display, _limits, _cancellationToken));
            return stream;
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private StageDefinition? ReadStage(YamlNode node, BuiltinStages builtins)
    {
        if (node is not YamlMappingNode map)
        {
            Error("each stage must be a mapping with at least 'id' and 'run' or 'uses'", YamlValues.At(_display, node), "stages[]");
            return null;
        }
        CheckKeys(map, StageKeys, "stage");
        var id = ScalarText(map, "id");
        var at = YamlValues.At(_display, map);
        if (id is null)
        {
            Error("stage has no 'id'", at, "stages[].id", StageIds.Rule);
            return null;
        }
        if (!StageIds.TryParse(id, out var number, out var stageName))
        {
            Error($"invalid stage id '{id}'", YamlValues.At(_display, Child(map, "id")!), $"{id}.id", StageIds.Rule);
            return null;
        }
        var run = ScalarText(map, "run");
        var uses = ScalarText(map, "uses");
        StageKind kind;
        Func<IStage>? factory = null;
        if (run is not null && uses is not null)
        {
            Error("a stage has either 'run' (a shell command) or 'uses' (a built-in), not both", at, id);
            return null;
        }
        if (run is not null) kind = StageKind.Command;
        else if (uses is not null)
        {
            kind = StageKind.Builtin;
            factory = builtins.Find(uses);
            if (factory is null)
                Error($"unknown stage kind '{uses}'", YamlValues.At(_display, Child(map, "uses")!), $"{id}.uses", $"built-ins are: {string.Join(", ", builtins.Names)}; or use 'run:' for a shell command");
        }
        else
        {
            Error("stage has neither 'run' nor 'uses'", at, id, "add 'run: <shell command>' or 'uses: <built-in>'");
            return null;
        }

        return new StageDefinition
        {
            Id = id,
            Number = number,
            Name = stageName,
            Kind = kind,
            Command = run,
            Uses = uses,
            Factory = factory,
            Description = ScalarText(map, "description"),
            Inputs = ReadInputs(map, id),
            Outputs = ReadOutputs(map, id),
            Config = MappingJson(map, "config", level: 4),
            Env = StringMap(map, "env"),
            After = StringList(map, "after"),
            Tools = StringMap(map, "tools"),
            Controls = ReadControls(map, id),
            Foreach = Child(map, "foreach") is { } each ? ReadForeach(each, id) : null,
            Location = at,
            CommandLocation = Child(map, "run") is { } runNode ? YamlValues.At(_display, runNode) : null,
            Reports = ReadReports(map, id),
        };
    }

    private Controls.StageControls ReadControls(YamlMappingNode map, string id)
    {
        var controls = Controls.StageControls.None;
        foreach (var key in Controls.StageControlsReader.Keys)
        {
            if (Child(map, key) is not { } node) continue;
            var at = YamlValues.At(_display, node);
            var value = node is YamlScalarNode scalar ? YamlValues.Scalar(scalar) : _json.Convert(node, 4);
            controls = Controls.StageControlsReader.With(controls, key, value, at, (message, hint) => Error(message, at, $"{id}.{key}", hint));
        }
        if (Child(map, "optional") is not null && Child(map, "on_failure") is { } both)
            Error("a stage has either 'optional' or 'on_failure', not both", YamlValues.At(_display, both), $"{id}.on_failure",
                "on_failure: continue is the same as optional: true");
        return controls;
    }

    /// <summary><c>reports: [tokens, api_calls]</c>: the units the stage reports, so a rate card may price them.</summary>
    private List<string> ReadReports(YamlMappingNode map, string id)
    {
        var units = StringList(map, "reports");
        var nodes = Child(map, "reports") switch
        {
            YamlSequenceNode list => list.Children,
            { } one => [one],
            null => [],
        };
        foreach (var node in nodes)
        {
            if (Costs.UsageUnits.Problem((node as YamlScalarNode)?.Value) is { } problem)
                Error(problem, YamlValues.At(_display, node), $"{id}.reports", Costs.UsageUnits.Rule);
        }
        return units;
    }

    private List<InputDeclaration> ReadInputs(YamlMappingNode stage, string id)
    {
        var result = new List<InputDeclaration>();
        if (Child(stage, "inputs") is not { } node) return result;
        if (node is not YamlMappingNode map)
        {
            Error("'inputs' must be a mapping of name: source", YamlValues.At(_display, node), $"{id}.inputs", "e.g. inputs: { audio: 01_demux.audio }");
            return result;
        }
        _json.Spend(map, map.Children.Count);
        foreach (var (keyNode, value) in map.Children)
        {
            var name = KeyText(keyNode);
            var at = YamlValues.At(_display, keyNode);
            CheckPortName(name, at, $"{id}.inputs");
            string? from = null, path = null, type = null, format = null;
            var optional = false;
            if (value is YamlScalarNode scalar) (from, path) = SplitSource(scalar.Value ?? "");
            else if (value is YamlMappingNode port)
            {
                CheckKeys(port, PortKeys, "input");
                from = ScalarText(port, "from");
                path = ScalarText(port, "path");
                type = ScalarText(port, "type");
                format = ScalarText(port, "format");
                optional = ScalarText(port, "optional") is { } flag && ParseFlag(flag, at, $"{id}.inputs.{name}.optional");
                if ((from is null) == (path is null))
                    Error($"input '{name}' needs exactly one of 'from' (an upstream output) or 'path' (a file)", at, $"{id}.inputs.{name}");
            }
            else Error($"input '{name}' must be a string or a mapping", at, $"{id}.inputs.{name}");

            string? fromStage = null, fromOutput = null;
            // 06_asr.segments[*]: every item's output (a gather).
            var gather = from is not null && from.EndsWith("[*]", StringComparison.Ordinal);
            if (gather) from = from![..^3];
            if (from is not null)
            {
                var dot = from.LastIndexOf('.');
                if (dot <= 0 || dot == from.Length - 1)
                    Error($"input '{name}' source '{from}' must be <stage>.<output>", at, $"{id}.inputs.{name}", "e.g. 01_demux.audio");
                else
                {
                    fromStage = from[..dot];
                    fromOutput = from[(dot + 1)..];
                }
            }
            result.Add(new InputDeclaration(name, fromStage, fromOutput, path, type, format, at, optional) { Gather = gather });
        }
        return result;
    }

    private FanOut.ForeachSpec? ReadForeach(YamlNode node, string id)
    {
        var at = YamlValues.At(_display, node);
        const string Forms = "foreach: { files: \"videos/*.mkv\" }, { values: [en, de] }, { lines: 01_list.items } or { json: 01_list.items }";
        if (node is not YamlMappingNode map)
        {
            Error("'foreach' must be a mapping with one of files, values, lines or json", at, $"{id}.foreach", Forms);
            return null;
        }
        CheckKeys(map, ForeachKeys, "foreach");
        var forms = ForeachForms.Where(k => Child(map, k) is not null).ToList();
        if (forms.Count != 1)
        {
            Error(forms.Count == 0 ? "'foreach' names nothing to run for" : $"'foreach' has {string.Join(" and ", forms)}: give one",
                at, $"{id}.foreach", Forms);
            return null;
        }
        var allowEmpty = ScalarText(map, "allow_empty") is { } flag && ParseFlag(flag, at, $"{id}.foreach.allow_empty");
        var form = forms[0];
        var value = Child(map, form)!;
        var where = YamlValues.At(_display, value);
        switch (form)
        {
            case "values":
                if (value is not YamlSequenceNode list)
                {
                    Error("'foreach.values' must be a list", where, $"{id}.foreach.values", "e.g. values: [en, de, fr]");
                    return null;
                }
                _json.Spend(list, list.Children.Count);
                return new FanOut.ForeachSpec(FanOut.ForeachKind.Values, where)
                {
                    Values = [.. list.Children.Select(v => v is YamlScalarNode s ? YamlValues.Scalar(s) : _json.Convert(v, 5))],
                    AllowEmpty = allowEmpty,
                };
            case "files":
                if (value is YamlSequenceNode entries) return FileList(entries, id, allowEmpty, where);
                if (ScalarText(map, "files") is not { Length: > 0 } pattern)
                {
                    Error("'foreach.files' must be a glob such as \"videos/*.mkv\"", where, $"{id}.foreach.files");
                    return null;
                }
                return new FanOut.ForeachSpec(FanOut.ForeachKind.Files, where) { Pattern = pattern, AllowEmpty = allowEmpty };
            default:
                var source = ScalarText(map, form);
                var dot = source?.LastIndexOf('.') ?? -1;
                if (source is null || dot <= 0 || dot == source.Length - 1)
                {
                    Error($"'foreach.{form}' must name an upstream output as <stage>.<output>", where, $"{id}.foreach.{form}", "e.g. 01_list.items");
                    return null;
                }
                return new FanOut.ForeachSpec(form == "lines" ? FanOut.ForeachKind.Lines : FanOut.ForeachKind.Json, where)
                {
                    FromStage = source[..dot], FromOutput = source[(dot + 1)..], AllowEmpty = allowEmpty,
                };
        }
    }

    /// <summary><c>files: [a.mkv, "extras/*.mkv"]</c>: files and globs, one item per file in list order.</summary>
    private FanOut.ForeachSpec? FileList(YamlSequenceNode entries, string id, bool allowEmpty, SourceLocation where)
    {
        _json.Spend(entries, entries.Children.Count);
        var patterns = new List<string>(entries.Children.Count);
        foreach (var entry in entries.Children)
        {
            if (entry is YamlScalarNode { Value: { Length: > 0 } text }) patterns.Add(text);
            else Error("each entry of 'foreach.files' must be a file or a glob", YamlValues.At(_display, entry), $"{id}.foreach.files",
                "e.g. files: [\"Episode 01.mkv\", \"extras/*.mkv\"]");
        }
        return new FanOut.ForeachSpec(FanOut.ForeachKind.Files, where) { Patterns = patterns, AllowEmpty = allowEmpty };
    }

    private bool ParseFlag(string text, SourceLocation at, string field)
    {
        if (bool.TryParse(text, out var value)) return value;
        Error($"'{text}' is not true or false", at, field);
        return false;
    }

    /// <summary><c>01_demux.audio</c> names an upstream output; anything with a '/' or no stage-like prefix is a file path.</summary>
    private static (string? From, string? Path) SplitSource(string text)
    {
        var dot = text.LastIndexOf('.');
        if (text.Contains('/', StringComparison.Ordinal) || dot <= 0) return (null, text);
        var prefix = text[..dot];
        return StageIds.TryParse(prefix, out _, out _) ? (text, null) : (null, text);
    }

    private List<OutputDeclaration> ReadOutputs(YamlMappingNode stage, string id)
    {
        var result = new List<OutputDeclaration>();
        if (Child(stage, "outputs") is not { } node) return result;
        if (node is not YamlMappingNode map)
        {
            Error("'outputs' must be a mapping of name: path", YamlValues.At(_display, node), $"{id}.outputs", "e.g. outputs: { audio: audio.wav }");
            return result;
        }
        _json.Spend(map, map.Children.Count);
        foreach (var (keyNode, value) in map.Children)
        {
            var name = KeyText(keyNode);
            var at = YamlValues.At(_display, keyNode);
            CheckPortName(name, at, $"{id}.outputs");
            string? path = null, type = null, format = null;
            if (value is YamlScalarNode scalar) path = scalar.Value;
            else if (value is YamlMappingNode port)
            {
                CheckKeys(port, ["path", "type", "format"], "output");
                path = ScalarText(port, "path");
                type = ScalarText(port, "type");
                format = ScalarText(port, "format");
            }
            if (string.IsNullOrWhiteSpace(path))
            {
                Error($"output '{name}' has no path", at, $"{id}.outputs.{name}");
                continue;
            }
            result.Add(new OutputDeclaration(name, path, type, format, at));
        }
        return result;
    }

    private void CheckPortName(string name, SourceLocation at, string field)
    {
        if (!StageIds.PortName().IsMatch(name))
            Error($"'{name}' is not a valid name", at, field, "names use letters, digits, '_' and '-', so they can be placeholders like {in.audio}");
    }

    private void CheckKeys(YamlMappingNode map, string[] allowed, string what)
    {
        foreach (var key in map.Children.Keys)
        {
            var text = (key as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(allowed, text) < 0)
                Error($"unknown key '{text}' in {what}", YamlValues.At(_display, key), text, $"allowed keys: {string.Join(", ", allowed)}");
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private string? ScalarText(YamlMappingNode map, string key)
    {
        var node = Child(map, key);
        if (node is null) return null;
        if (node is YamlScalarNode scalar) return scalar.Value;
        Error($"'{key}' must be a single value", YamlValues.At(_display, node), key);
        return null;
    }

    /// <param name="level">The nesting level of the config mapping in the file: 2 for the pipeline's, 4 for a stage's.</param>
    private JsonObject MappingJson(YamlMappingNode map, string key, int level)
    {
        var node = Child(map, key);
        if (node is null) return [];
        // Config is the only place where aliases are expanded into copies; the other sections are read a level at a time.
        if (node is YamlMappingNode mapping) return (JsonObject)_json.Convert(mapping, level)!;
        Error($"'{key}' must be a mapping", YamlValues.At(_display, node), key);
        return [];
    }

    private Dictionary<string, string> StringMap(YamlMappingNode map, string key)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var node = Child(map, key);
        if (node is null) return result;
        if (node is not YamlMappingNode mapping)
        {
            Error($"'{key}' must be a mapping of name: value", YamlValues.At(_display, node), key);
            return result;
        }
        _json.Spend(mapping, mapping.Children.Count);
        foreach (var (k, v) in mapping.Children)
        {
            if (v is YamlScalarNode s) result[KeyText(k)] = s.Value ?? "";
            else Error($"'{key}.{k}' must be a single value", YamlValues.At(_display, v), $"{key}.{k}");
        }
        return result;
    }

    private List<string> StringList(YamlMappingNode map, string key)
    {
        var node = Child(map, key);
        if (node is null) return [];
        if (node is YamlSequenceNode list)
        {
            _json.Spend(list, list.Children.Count);
            return [.. list.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")];
        }
        if (node is YamlScalarNode single) return [single.Value ?? ""];
        Error($"'{key}' must be a list", YamlValues.At(_display, node), key);
        return [];
    }

    /// <summary>A mapping key as text; a key that is itself a mapping or list is reported, never cast blindly.</summary>
    private string KeyText(YamlNode key)
    {
        if (key is YamlScalarNode scalar) return scalar.Value ?? "";
        Error("a key must be a single value, not a mapping or a list", YamlValues.At(_display, key), hint: "write the key as plain text");
        return "";
    }

    private static bool IsEmpty(YamlNode node) => node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" };

    private void Error(string message, SourceLocation? at, string? field = null, string? hint = null) =>
        _errors.Add(new PipelineError(message, at, field, hint));
}
