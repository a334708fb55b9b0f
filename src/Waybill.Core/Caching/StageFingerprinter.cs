using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;

namespace Waybill.Core.Caching;

/// <summary>
/// What a stage's result depends on. The definition digest covers what the pipeline file says the stage is (never
/// the job folder's path, so a moved job stays up to date); the fingerprint adds config, tool versions and input hashes.
/// </summary>
public static class StageFingerprinter
{
    private static readonly ConcurrentDictionary<Type, string> CodeVersions = new();

    /// <summary>Builtin and code stages: the stage's assembly name, version and module id. Deterministic builds change the id only when the compiled code changes.</summary>
    public static string? CodeVersionOf(StageDefinition stage)
    {
        if (stage.Kind == StageKind.Command || stage.Factory is null) return null;
        var type = stage.Factory().GetType();
        return CodeVersions.GetOrAdd(type, t =>
        {
            var assembly = t.Assembly;
            var version = assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "0";
            return $"{t.FullName} {version} ({t.Module.ModuleVersionId:N})";
        });
    }

    /// <summary>
    /// The config the stage's result depends on, secrets masked. A command stage sees config only through its
    /// <c>{config.key}</c> placeholders (in the command and in input paths), so only those keys count; builtin and
    /// code stages may read any key, so all of them count.
    /// </summary>
    public static JsonObject DeclaredConfig(PipelineDefinition pipeline, StageDefinition stage, Redactor redactor)
    {
        if (stage.Kind != StageKind.Command) return Secrets.ConfigMask.MaskAll(pipeline.ConfigFor(stage), pipeline.SecretConfig, redactor);
        var used = new JsonObject();
        if (!HasPlaceholders(stage)) return used;
        var texts = stage.Inputs.Select(i => i.ExternalPath).OfType<string>().Prepend(stage.Command ?? "");
        var references = texts.SelectMany(Placeholders.Find).Where(r => r.Scope == "config").Select(r => r.Key).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToList();
        // The stage's config is a copy of the pipeline's merged with its own: made only for a command that reads some (a
        // no-op rerun decides 100,000 items of a command that reads none).
        if (references.Count == 0) return used;
        var config = pipeline.ConfigFor(stage);
        foreach (var reference in references)
            used[reference] = Secrets.ConfigMask.Mask(reference.Split('.')[^1], Placeholders.Lookup(config, reference)?.DeepClone(), pipeline.SecretConfig, redactor, reference.Contains('.', StringComparison.Ordinal) ? reference[..(reference.LastIndexOf('.') + 1)] : "");
        return used;
    }

    /// <summary>Whether the command or an input's path may hold a placeholder: most of a fan-out's commands hold none.</summary>
    private static bool HasPlaceholders(StageDefinition stage)
    {
        if (stage.Command?.Contains('{', StringComparison.Ordinal) == true) return true;
        foreach (var input in stage.Inputs)
        {
            if (input.ExternalPath?.Contains('{', StringComparison.Ordinal) == true) return true;
        }
        return false;
    }

    public static string DefinitionDigest(PipelineDefinition pipeline, StageDefinition stage, Redactor redactor, string? codeVersion)
    {
        // One builder per thread, kept: a no-op rerun digests every stage run's definition, and the builder's growth and the
        // sorts of one-element lists were most of that (perf, 100,000 items).
        var text = t_definition ?? new StringBuilder(512);
        t_definition = null;
        text.Clear();
        text.Append("kind=").Append(KindNames[(int)stage.Kind]).Append('\n');
        if (stage.Command is not null) text.Append("command=").Append(redactor.Redact(stage.Command)).Append('\n');
        if (stage.Uses is not null) text.Append("uses=").Append(stage.Uses).Append('\n');
        if (codeVersion is not null) text.Append("code=").Append(codeVersion).Append('\n');
        // Items of one fan-out share the rest of the definition; their value is what sets them apart.
        if (stage.Item is { } item) text.Append("item=").Append(item.Key).Append('|').Append(redactor.Redact(item.Value)).Append('\n');
        foreach (var input in ByName(stage.Inputs, i => i.Name))
            text.Append("in=").Append(input.Name).Append('|').Append(input.FromStage is null ? null : pipeline.Find(input.FromStage)?.Id).Append('|')
                .Append(input.FromOutput).Append('|').Append(input.ExternalPath).Append('|').Append(input.Optional).Append('\n');
        foreach (var output in ByName(stage.Outputs, o => o.Name))
            text.Append("out=").Append(output.Name).Append('|').Append(output.Path).Append('\n');
        if (pipeline.Env.Count + stage.Env.Count > 0)
        {
            foreach (var (key, value) in pipeline.Env.Concat(stage.Env).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var shown = Redactor.IsSecretName(key) || pipeline.SecretEnv.Contains(key) ? Redactor.Mask : redactor.Redact(value);
                text.Append("env=").Append(key).Append('=').Append(shown).Append('\n');
            }
        }
        if (stage.Tools.Count > 0)
        {
            foreach (var (tool, command) in stage.Tools.OrderBy(t => t.Key, StringComparer.Ordinal))
                text.Append("tool=").Append(tool).Append('=').Append(redactor.Redact(command)).Append('\n');
        }
        var digest = Digest.Of(text.ToString(), pipeline.Checksum);
        t_definition = text;
        return digest;
    }

    [ThreadStatic]
    private static StringBuilder? t_definition;

    // As the enum's own names print (the digest's text has always spelled them so), without formatting an enum each time.
    private static readonly string[] KindNames = [.. Enum.GetValues<StageKind>().Order().Select(k => k.ToString())];

    /// <summary>In ordinal order of the key; a list of one or none as it is.</summary>
    private static IEnumerable<T> ByName<T>(IReadOnlyList<T> list, Func<T, string> key) =>
        list.Count <= 1 ? list : list.OrderBy(key, StringComparer.Ordinal);

    /// <summary>The fingerprint of what a finished stage recorded: its definition digest, config, tool versions and input checksums.</summary>
    public static StageFingerprint Compute(PipelineDefinition pipeline, string definitionDigest, string? codeVersion, JsonObject declaredConfig, IReadOnlyDictionary<string, string> toolCommands, StageManifest manifest)
    {
        var text = new StringBuilder();
        text.Append("definition=").Append(definitionDigest).Append('\n');
        text.Append("config=").Append(Canonical(declaredConfig)).Append('\n');
        foreach (var (tool, version) in manifest.ToolVersions.OrderBy(t => t.Key, StringComparer.Ordinal))
            text.Append("tool=").Append(tool).Append('=').Append(version).Append('\n');
        foreach (var input in manifest.Inputs.OrderBy(i => i.Name ?? i.Path, StringComparer.Ordinal).ThenBy(i => i.Path, StringComparer.Ordinal))
            text.Append("input=").Append(input.Name).Append('|').Append(input.Checksum ?? "missing").Append('\n');
        return new StageFingerprint
        {
            Value = Digest.Of(text.ToString(), pipeline.Checksum),
            Definition = definitionDigest,
            CodeVersion = codeVersion,
            Config = declaredConfig,
            ToolCommands = new Dictionary<string, string>(toolCommands, StringComparer.Ordinal),
        };
    }

    /// <summary>JSON with object keys sorted, so equal config gives equal text whatever the key order in the file.</summary>
    internal static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => JsonValue.Create(p.Key).ToJsonString() + ":" + Canonical(p.Value))) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };
}
