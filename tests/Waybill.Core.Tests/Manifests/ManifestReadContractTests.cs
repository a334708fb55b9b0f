using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CsCheck;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Manifests;

/// <summary>
/// The native build's read metadata (records made by their parameterless constructors, <see cref="ManifestReadContract"/>)
/// reads every manifest as the generated metadata it replaces: the same objects from real manifests, and the same
/// refusal of one with a field removed or given a value of another kind, naming the same field. Where the refusal
/// points in the file it now agrees, to the byte, with the reflection metadata of the JIT build (the replaced reader
/// pointed past the value, after the end of the object that held it).
/// </summary>
public sealed class ManifestReadContractTests : IDisposable
{
    private const int Cases = 1_000;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A job whose stage manifests hold inputs, outputs, an item, a fingerprint, resources, a log seal and errors.</summary>
    private async Task<string> RealJob()
    {
        File.WriteAllText(_temp.Combine("in.txt"), "a\nb\n");
        var pipeline = new PipelineBuilder("contract", _temp.Path)
            .Command("01_make", "cat {in.src} > {out.text}",
                s => s.ExternalInput("src", "in.txt").Output("text", "text.txt", type: "text", format: "txt"))
            .Command("02_fail", "echo broken >&2; exit 3", s => s.Input("text", "01_make.text"))
            .Build();
        var options = new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1, KeepGoing = true };
        await PipelineRunner.RunAsync(pipeline, options, TestContext.Current.CancellationToken);
        return _temp.Combine("out", "job");
    }

    [Fact]
    public async Task Real_stage_and_job_manifests_read_to_the_same_records()
    {
        var job = await RealJob();
        foreach (var file in new[] { "01_make/manifest.json", "02_fail/manifest.json" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(job, file));
            Assert.Equal(Outcome<StageManifest>(bytes, Before<StageManifest>()), Outcome<StageManifest>(bytes, After<StageManifest>()));
            Assert.StartsWith("read:", Outcome<StageManifest>(bytes, After<StageManifest>()), StringComparison.Ordinal);
        }
        var jobBytes = File.ReadAllBytes(Path.Combine(job, "manifest.json"));
        Assert.Equal(Outcome<JobManifest>(jobBytes, Before<JobManifest>()), Outcome<JobManifest>(jobBytes, After<JobManifest>()));
        Assert.Contains("\"lineage\"", Outcome<JobManifest>(jobBytes, After<JobManifest>()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stage_manifest_with_a_field_removed_or_changed_is_read_or_refused_as_before()
    {
        var job = await RealJob();
        foreach (var file in new[] { "01_make/manifest.json", "02_fail/manifest.json" })
        {
            var original = JsonNode.Parse(File.ReadAllText(Path.Combine(job, file)))!;
            var fields = Fields(original, []).ToList();
            var (read, refused) = (0, 0);
            Gen.Select(Gen.Int[0, fields.Count - 1], Gen.Int[0, Replacements.Length]).SampleFixed((index, replacement) =>
            {
                var root = original.DeepClone();
                var remove = replacement == Replacements.Length;
                Change(root, fields[index], remove ? null : Replacements[replacement](), remove);
                var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
                var before = Outcome<StageManifest>(bytes, Before<StageManifest>());
                var after = Outcome<StageManifest>(bytes, After<StageManifest>());
                Assert.Equal(WithoutPosition(before), WithoutPosition(after));
                Assert.Equal(Outcome<StageManifest>(bytes, Reflection<StageManifest>()), after);
                if (before.StartsWith("read:", StringComparison.Ordinal)) read++;
                else refused++;
            }, iter: Cases);
            Assert.True(read > 0 && refused > 0, $"{file}: {read} read, {refused} refused");
        }
    }

    [Fact]
    public async Task A_required_field_left_out_is_still_refused()
    {
        var job = await RealJob();
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "01_make", "manifest.json")))!.AsObject();
        root.Remove("stage_id");
        var path = _temp.Combine("no-stage-id.json");
        File.WriteAllText(path, root.ToJsonString());
        var error = Assert.ThrowsAny<ManifestFormatException>(() => ManifestJson.ReadStage(path));
        Assert.Contains("stage_id", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("refused:", Outcome<StageManifest>(File.ReadAllBytes(path), After<StageManifest>()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stage_manifest_read_without_its_config_is_the_same_record_with_an_empty_config()
    {
        var job = await RealJob();
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(job, "01_make", "manifest.json")))!.AsObject();
        root["config"] = new JsonObject
        {
            ["model"] = new JsonObject { ["size"] = "large", ["langs"] = new JsonArray("en", "de") }, ["threshold"] = 0.5,
        };
        var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
        var path = _temp.Combine("with-config.json");
        File.WriteAllBytes(path, bytes);

        var whole = ManifestJson.ReadStage(path, bytes, Hashing.ChecksumAlgorithm.XxHash128, out var wholeChecksum);
        var without = ManifestJson.ReadStage(path, bytes, Hashing.ChecksumAlgorithm.XxHash128, out var withoutChecksum, withoutConfig: true);
        Assert.Equal(2, whole.Config.Count);
        Assert.Empty(without.Config);
        Assert.Equal(wholeChecksum, withoutChecksum);
        whole.Config.Clear();
        Assert.Equal(ManifestJson.Serialize(whole), ManifestJson.Serialize(without));

        // The native build's metadata with the same modifier.
        var generated = new JsonSerializerOptions(ManifestJson.GeneratedReadOptions)
        {
            TypeInfoResolver = ManifestJson.GeneratedReadOptions.TypeInfoResolver!.WithAddedModifier(ManifestReadContract.LeaveConfig),
        };
        var native = ManifestJson.Read(path, bytes, (JsonTypeInfo<StageManifest>)generated.GetTypeInfo(typeof(StageManifest)));
        Assert.Empty(native.Config);
        Assert.Equal(ManifestJson.Serialize(whole), ManifestJson.Serialize(native));

        // A config that is not an object is refused whether it is read or skipped, naming the field.
        foreach (var wrong in new JsonNode?[] { JsonValue.Create(42), JsonValue.Create("text"), new JsonArray(1) })
        {
            root["config"] = wrong?.DeepClone();
            var broken = Encoding.UTF8.GetBytes(root.ToJsonString());
            var read = Assert.ThrowsAny<ManifestFormatException>(
                () => ManifestJson.ReadStage(path, broken, Hashing.ChecksumAlgorithm.XxHash128, out _));
            var skipped = Assert.ThrowsAny<ManifestFormatException>(
                () => ManifestJson.ReadStage(path, broken, Hashing.ChecksumAlgorithm.XxHash128, out _, withoutConfig: true));
            Assert.Contains("config", read.Message, StringComparison.Ordinal);
            Assert.Contains("config", skipped.Message, StringComparison.Ordinal);
            var nativeInfo = (JsonTypeInfo<StageManifest>)generated.GetTypeInfo(typeof(StageManifest));
            Assert.StartsWith("refused:", Outcome(broken, nativeInfo), StringComparison.Ordinal);
        }
    }

    private static readonly Func<JsonNode?>[] Replacements =
    [
        () => JsonValue.Create("text"), () => JsonValue.Create(42), () => JsonValue.Create(-1.5), () => JsonValue.Create(true), () => null,
        () => JsonValue.Create("2025-13-45T99:00:00Z"), () => new JsonArray(1, "two"), () => new JsonObject { ["x"] = 1 },
    ];

    // The generated metadata as the native build read with it before, and as it reads now.
    private static JsonTypeInfo<T> Before<T>() => (JsonTypeInfo<T>)ManifestJsonContext.Default.Options.GetTypeInfo(typeof(T));

    private static JsonTypeInfo<T> After<T>() => (JsonTypeInfo<T>)ManifestJson.GeneratedReadOptions.GetTypeInfo(typeof(T));

    private static readonly JsonSerializerOptions ReflectionOptions = new(ManifestJsonContext.Default.Options)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    private static JsonTypeInfo<T> Reflection<T>() => (JsonTypeInfo<T>)ReflectionOptions.GetTypeInfo(typeof(T));

    private static string WithoutPosition(string outcome) =>
        System.Text.RegularExpressions.Regex.Replace(outcome, @"at line \d+, byte \d+|LineNumber: \d+ \| BytePositionInLine: \d+", "");

    /// <summary>What the records read serialize back to, or the refusal as the reader words it.</summary>
    private static string Outcome<T>(byte[] bytes, JsonTypeInfo<T> info)
    {
        try
        {
            var value = ManifestJson.Read("case.json", bytes, info);
            return "read:" + value switch
            {
                StageManifest stage => Encoding.UTF8.GetString(ManifestJson.Serialize(stage)),
                JobManifest job => Encoding.UTF8.GetString(ManifestJson.Serialize(job)),
                _ => "null",
            };
        }
        catch (ManifestFormatException e)
        {
            return $"refused: {e.GetType().Name} {e.Message}";
        }
    }

    /// <summary>Every field below the root, as a path of names and indices.</summary>
    internal static IEnumerable<List<object>> Fields(JsonNode node, List<object> at)
    {
        var children = node switch
        {
            JsonObject o => o.Select(p => (Key: (object)p.Key, Node: p.Value)),
            JsonArray a => a.Select((n, i) => (Key: (object)i, Node: n)),
            _ => [],
        };
        foreach (var (key, child) in children)
        {
            List<object> path = [.. at, key];
            yield return path;
            if (child is not null)
                foreach (var below in Fields(child, path)) yield return below;
        }
    }

    private static void Change(JsonNode root, List<object> field, JsonNode? value, bool remove)
    {
        var node = root;
        foreach (var key in field[..^1]) node = key is int i ? node[i]! : node[(string)key]!;
        switch (field[^1], remove)
        {
            case (string name, true): node.AsObject().Remove(name); break;
            case (int index, true): node.AsArray().RemoveAt(index); break;
            case (string name, false): node[name] = value; break;
            case (int index, false): node[index] = value; break;
        }
    }
}
