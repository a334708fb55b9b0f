using System.Text.Json.Nodes;
using Xunit;

namespace Waybill.Cli.Tests.Models;

/// <summary><c>waybill models list|verify|remove</c>, unknown ids and a malformed registry file.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private readonly ModelFolderFixture _models = new(sizeBytes: 64 << 10);

    private async Task InstallAsync(byte[]? bytes = null)
    {
        Directory.CreateDirectory(_models.ModelFolder);
        await File.WriteAllBytesAsync(_models.ModelPath, bytes ?? _models.Bytes);
    }

    private async Task<JsonObject> ListedAsync(params string[] extra)
    {
        var result = await _models.RunAsync(["models", "list", "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.All);
        var listed = JsonNode.Parse(result.Stdout)!.AsObject();
        Assert.Equal(_models.ModelFolder, listed["modelFolder"]!.GetValue<string>());
        return listed["models"]!.AsArray().Single(m => m!["id"]!.GetValue<string>() == ModelFolderFixture.Id)!.AsObject();
    }

    [Fact]
    public async Task List_shows_built_in_and_registered_models_with_what_the_folder_holds()
    {
        var missing = await ListedAsync();
        Assert.Equal("missing", missing["state"]!.GetValue<string>());
        Assert.Equal(_models.Sha256, missing["sha256"]!.GetValue<string>());
        Assert.Equal(_models.RegistryPath, missing["origin"]!.GetValue<string>());

        await InstallAsync();
        Assert.Equal("present", (await ListedAsync())["state"]!.GetValue<string>());
        Assert.Equal("verified", (await ListedAsync("--verify"))["state"]!.GetValue<string>());

        var table = await _models.RunAsync("models", "list");
        Assert.Contains("whisper:large-v3-turbo-q5_0", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("vad:silero", table.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"whisper:test-tiny\s+64KiB\s+present\s+ggml-test-tiny\.bin", table.Stdout);
    }

    [Fact]
    public async Task Verify_passes_a_good_file_and_fails_naming_a_damaged_one()
    {
        await InstallAsync();
        var good = await _models.RunAsync("models", "verify");
        Assert.True(good.ExitCode == 0, good.All);
        Assert.Contains($"ok        {ModelFolderFixture.Id}", good.Stdout, StringComparison.Ordinal);

        var damaged = (byte[])_models.Bytes.Clone();
        damaged[100] ^= 0x01;
        await InstallAsync(damaged);
        var bad = await _models.RunAsync("models", "verify", ModelFolderFixture.Id);

        Assert.Equal(1, bad.ExitCode);
        Assert.Contains($"{_models.ModelPath} has SHA-256", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains($"not the pinned {_models.Sha256}", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal("checksumMismatch", (await ListedAsync("--verify"))["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Verify_of_a_named_model_that_is_missing_fails()
    {
        var result = await _models.RunAsync("models", "verify", ModelFolderFixture.Id);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{_models.ModelPath} is missing", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remove_deletes_the_model_and_its_partial_download()
    {
        await InstallAsync();
        Directory.CreateDirectory(_models.PartialFolder);
        var partial = Path.Combine(_models.PartialFolder, $"{ModelFolderFixture.FileName}.{_models.Sha256[..12]}.part");
        await File.WriteAllBytesAsync(partial, _models.Bytes[..100]);

        var result = await _models.RunAsync("models", "remove", ModelFolderFixture.Id);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains($"Removed {ModelFolderFixture.Id}", result.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(_models.ModelPath));
        Assert.False(File.Exists(partial));
        Assert.Equal("missing", (await ListedAsync())["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_id_is_refused_listing_the_known_ones_closest_first()
    {
        var result = await _models.RunAsync("models", "fetch", "whisper:test-tny", "--mirror", _models.Server.MirrorUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("unknown model 'whisper:test-tny'; known models, closest first: whisper:test-tiny, whisper:tiny", result.Stderr,
            StringComparison.Ordinal);
        Assert.Contains("vad:silero", result.Stderr, StringComparison.Ordinal);
        Assert.Empty(_models.Server.Requests);
    }

    [Fact]
    public async Task A_bare_model_name_resolves_when_only_one_model_has_it()
    {
        var result = await _models.RunAsync("models", "fetch", "test-tiny", "--mirror", _models.Server.MirrorUrl);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
    }

    [Fact]
    public async Task A_malformed_registry_file_is_refused_naming_the_file_line_and_field()
    {
        File.WriteAllText(_models.RegistryPath, """
            {
              "models": [
                { "id": "whisper:mine", "file": "ggml-mine.bin",
                  "sha256": "not-a-checksum", "size": 10 }
              ]
            }
            """);

        var result = await _models.RunAsync("models", "list");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_models.RegistryPath}:4: models[0].sha256 must be 64 hexadecimal digits", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registered_model_without_a_source_asks_for_a_mirror()
    {
        var result = await _models.RunAsync("models", "fetch", ModelFolderFixture.Id);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("has no source of its own", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("WAYBILL_MODEL_MIRROR", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _models.Dispose();
}
