using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Manifests;

/// <summary>
/// The manifest reader on real manifests broken at random: it either reads them or refuses them with a
/// <see cref="ManifestFormatException"/> that says where (the field, or the line and byte), never another exception,
/// and never slowly. A field given a value of another kind is named, with what it holds and what it should hold.
/// </summary>
public sealed class ManifestReaderPropertyTests : IDisposable
{
    private const int Cases = 1_500;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A stage manifest written by a real run: inputs, outputs, fingerprint, resources, log seal.</summary>
    private async Task<string> RealManifest()
    {
        File.WriteAllText(_temp.Combine("in.txt"), "input\n");
        var pipeline = new PipelineBuilder("fuzz", _temp.Path)
            .Command("01_make", "cat {in.src} > {out.text}",
                s => s.ExternalInput("src", "in.txt").Output("text", "text.txt", type: "text", format: "txt"))
            .Build();
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 },
            TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, result.Status);
        return File.ReadAllText(_temp.Combine("out", "job", "01_make", "manifest.json"));
    }

    private static readonly Gen<JsonNode?> Replacement = Gen.OneOf<JsonNode?>(
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const(() => (JsonNode?)null),
        Gen.Int.Select(n => (JsonNode?)JsonValue.Create(n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        Gen.Const<JsonNode?>(JsonValue.Create("2025-13-45T99:00:00Z")),
        Gen.Const<JsonNode?>(new JsonArray(1, "two")),
        Gen.Const<JsonNode?>(new JsonObject { ["x"] = 1 }));

    [Fact]
    public async Task A_field_given_a_value_of_another_kind_is_read_or_refused_naming_that_field()
    {
        var original = await RealManifest();
        var fields = Fields(JsonNode.Parse(original)!, "").ToList();
        var path = _temp.Combine("case.json");
        var (read, named) = (0, 0);
        Gen.Select(Gen.Int[0, fields.Count - 1], Replacement).SampleFixed((index, value) =>
        {
            var field = fields[index];
            var root = JsonNode.Parse(original)!;
            Replace(root, field, value?.DeepClone());
            File.WriteAllText(path, root.ToJsonString());
            var error = ReadTimed(path);
            if (error is null)
            {
                read++;
                return;
            }
            if (error is ManifestVersionException) return;
            var fieldError = Assert.IsType<ManifestFieldException>(error);
            Assert.True(fieldError.Field == field || fieldError.Field.StartsWith(field + ".", StringComparison.Ordinal)
                || fieldError.Field.StartsWith(field + "[", StringComparison.Ordinal),
                $"{field} was changed, {fieldError.Field} named: {error.Message}");
            Assert.Contains($"field {fieldError.Field} at line ", error.Message, StringComparison.Ordinal);
            Assert.Contains(" is not ", error.Message, StringComparison.Ordinal);
            named++;
        }, iter: Cases);
        Assert.True(named > Cases / 4, $"only {named} of {Cases} mutations were refused");
        ReliabilityFigures.Record("manifests with a field of the wrong kind read or refused naming the field (property test, one run)",
            $"{Cases} ({named} refused naming the field, {read} read)");
    }

    [Fact]
    public async Task Manifest_bytes_cut_or_garbled_are_refused_with_a_line_and_byte_never_an_exception_of_another_kind()
    {
        var original = Encoding.UTF8.GetBytes(await RealManifest());
        var path = _temp.Combine("case.json");
        var mutation = Gen.Select(Gen.Int[0, 2], Gen.Int[0, original.Length - 1], Gen.Byte.Array[1, 8]);
        mutation.SampleFixed((kind, at, bytes) =>
        {
            var mutated = kind switch
            {
                0 => original[..at],
                1 => [.. original[..at], .. bytes, .. original[(at + 1)..]],
                _ => [.. original[..at], .. bytes, .. original[at..]],
            };
            File.WriteAllBytes(path, mutated);
            var error = ReadTimed(path);
            if (error is null or ManifestVersionException) return;
            Assert.True(error.Message.Contains(" at line ", StringComparison.Ordinal) || error is ManifestFieldException, error.Message);
        }, iter: Cases);
        ReliabilityFigures.Record("manifests cut or garbled at random refused with a clear error (property test, one run)",
            Cases.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Reads the manifest; returns the refusal, fails on any other exception or a read that runs away (over 5 s).</summary>
    private static ManifestFormatException? ReadTimed(string path)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            ManifestJson.ReadStage(path);
            return null;
        }
        catch (ManifestFormatException e)
        {
            return e;
        }
        finally
        {
            // A safety net against a read that runs away (a quadratic or looping parse), not a speed test: a read takes
            // milliseconds, and a busy machine (a GC of the test host, three test hosts on two cores) may stall one for a second.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"reading took {clock.Elapsed}");
        }
    }

    /// <summary>Every field below the root, as the reader names them: <c>outputs[0].size_bytes</c>.</summary>
    private static IEnumerable<string> Fields(JsonNode node, string at)
    {
        var children = node switch
        {
            JsonObject o => o.Select(p => (Name: at.Length == 0 ? p.Key : $"{at}.{p.Key}", Node: p.Value)),
            JsonArray a => a.Select((n, i) => (Name: $"{at}[{i}]", Node: n)),
            _ => [],
        };
        foreach (var (name, child) in children)
        {
            yield return name;
            if (child is not null)
                foreach (var below in Fields(child, name)) yield return below;
        }
    }

    private static void Replace(JsonNode root, string field, JsonNode? value)
    {
        var parts = field.Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        var node = root;
        foreach (var part in parts[..^1]) node = Child(node, part)!;
        var last = parts[^1];
        if (last.StartsWith('[')) node[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        else node[last] = value;
    }

    private static JsonNode? Child(JsonNode node, string part) =>
        part.StartsWith('[') ? node[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)] : node[part];
}
