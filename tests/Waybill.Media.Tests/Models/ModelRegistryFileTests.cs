using System.Text;
using Waybill.Media.Models;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Models;

public sealed class ModelRegistryFileTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static IReadOnlyList<KnownModel> Parse(string json) => ModelRegistryFile.Parse(Encoding.UTF8.GetBytes(json), "team.json");

    private static string Refusal(string json) => Assert.Throws<ModelRegistryException>(() => Parse(json)).Message;

    [Fact]
    public void A_registry_file_adds_models_with_their_checksum_size_and_source()
    {
        var models = Parse($$"""
            {
              // a team's fine-tune
              "models": [
                { "id": "whisper:team-small", "file": "ggml-team-small.bin", "sha256": "{{Sha.ToUpperInvariant()}}", "size": 487601967,
                  "source": "https://models.example.org/ggml-team-small.bin" },
                { "id": "vad:other", "file": "other.onnx", "sha256": "{{Sha}}", "size": 10 }
              ]
            }
            """);

        Assert.Equal(["whisper:team-small", "vad:other"], models.Select(m => m.Id));
        Assert.Equal(Sha, models[0].Sha256);
        Assert.Equal(487_601_967, models[0].SizeBytes);
        Assert.Equal("team.json", models[0].Origin);
        Assert.Equal(new Uri("https://models.example.org/ggml-team-small.bin"), models[0].Source);
        Assert.True(ModelRegistryFile.IsMirrorOnly(models[1].Source));
    }

    [Theory]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "abc", "size": 1}]}""", "team.json:1: models[0].sha256 must be 64")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "../a.bin", "sha256": "SHA", "size": 1}]}""", "models[0].file \"../a.bin\" must be a plain file name")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": ".a.bin", "sha256": "SHA", "size": 1}]}""", "must be a plain file name")]
    [InlineData("""{"models": [{"id": "bert:a", "file": "a.bin", "sha256": "SHA", "size": 1}]}""", "models[0].id \"bert:a\" must be whisper:NAME or vad:NAME")]
    [InlineData("""{"models": [{"id": "whisper:base.en", "file": "a.bin", "sha256": "SHA", "size": 1}]}""", "\"whisper:base.en\" is already known")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "ggml-base.en.bin", "sha256": "SHA", "size": 1}]}""",
        "models[0].file \"ggml-base.en.bin\" is already the file of whisper:base.en")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "SHA", "size": 1}, {"id": "whisper:b", "file": "a.bin", "sha256": "SHA", "size": 1}]}""",
        "models[1].file \"a.bin\" is already the file of whisper:a")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "SHA", "size": 0}]}""", "models[0].size must be the file's size in bytes")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "SHA", "size": 1.5}]}""", "models[0].size must be")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "SHA"}]}""", "models[0]: \"size\" is missing")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "SHA", "size": 1, "sha1": "x"}]}""", "unknown field \"sha1\"")]
    [InlineData("""{"models": [{"id": "whisper:a", "file": "a.bin", "sha256": "SHA", "size": 1, "source": "ftp://x/a"}]}""", "source must be an http(s) URL")]
    [InlineData("""{"models": [{"id": "whisper:a", "id": "whisper:b", "file": "a.bin", "sha256": "SHA", "size": 1}]}""", "models[0].id is given twice")]
    [InlineData("""{"model": []}""", "unexpected key \"model\"")]
    [InlineData("""[]""", "the file must be a JSON object")]
    [InlineData("""{"models": [}""", "team.json:1: not valid JSON")]
    [InlineData("""{"models": []} []""", "not valid JSON")]
    public void A_malformed_registry_is_refused_naming_the_file_line_and_field(string json, string expected) =>
        Assert.Contains(expected, Refusal(json.Replace("SHA", Sha, StringComparison.Ordinal)), StringComparison.Ordinal);

    [Fact]
    public void The_line_of_the_bad_value_is_named()
    {
        var message = Refusal($$"""
            {
              "models": [
                { "id": "whisper:a", "file": "a.bin", "sha256": "{{Sha}}", "size": 1 },
                { "id": "whisper:b", "file": "b.bin",
                  "sha256": "nope", "size": 1 }
              ]
            }
            """);

        Assert.StartsWith("team.json:5: models[1].sha256", message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_number_of_models_is_bounded()
    {
        var entries = Enumerable.Range(0, ModelRegistryFile.MaxModels + 1)
            .Select(i => $$"""{"id": "whisper:m{{i}}", "file": "m{{i}}.bin", "sha256": "{{Sha}}", "size": 1}""");

        Assert.Contains("more than 1,000 models", Refusal($$"""{"models": [{{string.Join(",", entries)}}]}"""), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_and_the_file_are_bounded()
    {
        var longFile = new string('a', ModelRegistryFile.MaxValueLength + 1);
        Assert.Contains("longer than 2,048 characters",
            Refusal($$"""{"models": [{"id": "whisper:a", "file": "{{longFile}}", "sha256": "{{Sha}}", "size": 1}]}"""), StringComparison.Ordinal);
        using var temp = new TempFolder();
        var path = temp.Write("registry.json", new string(' ', ModelRegistryFile.MaxBytes + 1));
        Assert.Contains("more than the 1,048,576 a registry file may have",
            Assert.Throws<ModelRegistryException>(() => ModelRegistryFile.Load(path)).Message, StringComparison.Ordinal);
    }
}
