using Xunit;

namespace Waybill.Cli.Tests.Models;

/// <summary><c>waybill models fetch</c> against a real local mirror: install, resume, refusal, errors.</summary>
public sealed class ModelFetchTests : IDisposable
{
    private readonly ModelFolderFixture _models = new();

    [Fact]
    public async Task Fetch_from_a_mirror_installs_the_verified_model_and_leaves_no_partial()
    {
        var result = await _models.FetchAsync();

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
        Assert.Contains("SHA-256 verified", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_models.Partials);
        var request = Assert.Single(_models.Server.Requests);
        Assert.Equal("/models/" + ModelFolderFixture.FileName, request.Path);
        Assert.Null(request.Range);
    }

    [Fact]
    public async Task The_mirror_variable_works_like_the_option()
    {
        var environment = _models.Environment;
        environment["WAYBILL_MODEL_MIRROR"] = _models.Server.MirrorUrl;

        var result = await Support.CliProcess.RunAsync(_models.Root, environment, "models", "fetch", ModelFolderFixture.Id);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
    }

    [Fact]
    public async Task A_dropped_connection_leaves_a_partial_outside_the_folder_and_the_next_fetch_resumes_it_with_a_range_request()
    {
        _models.Server.DropAfterBytes = 1 << 20;

        var broken = await _models.FetchAsync();

        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("broke off", broken.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_models.ModelPath), "a half-written model was installed");
        var partial = new FileInfo(Assert.Single(_models.Partials));
        Assert.InRange(partial.Length, 1, _models.Bytes.Length - 1);

        var resumed = await _models.FetchAsync();

        Assert.True(resumed.ExitCode == 0, resumed.All);
        Assert.Contains("resumed", resumed.Stdout, StringComparison.Ordinal);
        Assert.Equal($"bytes={partial.Length}-", _models.Server.Requests.Last().Range);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
        Assert.Empty(_models.Partials);
    }

    [Fact]
    public async Task A_whole_partial_left_by_a_fetch_killed_before_its_rename_is_installed_without_a_transfer()
    {
        Directory.CreateDirectory(_models.PartialFolder);
        await File.WriteAllBytesAsync(Path.Combine(_models.PartialFolder, $"{ModelFolderFixture.FileName}.{_models.Sha256[..12]}.part"), _models.Bytes);

        var result = await _models.FetchAsync();

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
        Assert.Empty(_models.Server.Requests);
        Assert.Empty(_models.Partials);
    }

    [Fact]
    public async Task Bytes_with_another_checksum_are_refused_and_deleted()
    {
        var other = (byte[])_models.Bytes.Clone();
        other[^1] ^= 0xFF;
        _models.Server.Files[ModelFolderFixture.FileName] = other;

        var result = await _models.FetchAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"not the pinned {_models.Sha256}", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("deleted, nothing was installed", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_models.ModelPath));
        Assert.Empty(_models.Partials);
    }

    [Fact]
    public async Task An_html_error_page_served_with_status_200_is_refused_and_nothing_is_left()
    {
        _models.Server.ContentType = "text/html";
        _models.Server.Files[ModelFolderFixture.FileName] = "<html><body>Proxy authentication required</body></html>"u8.ToArray();

        var result = await _models.FetchAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("text/html", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("not this model", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_models.ModelPath));
        Assert.Empty(_models.Partials);
    }

    [Theory]
    [InlineData(404)]
    [InlineData(500)]
    public async Task A_mirror_error_status_is_reported_with_the_url(int status)
    {
        _models.Server.Status = status;

        var result = await _models.FetchAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{_models.Server.MirrorUrl}{ModelFolderFixture.FileName} answered {status}", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_models.ModelPath));
    }

    [Fact]
    public async Task A_mirror_s_credentials_and_signed_query_are_used_but_never_printed()
    {
        _models.Server.Status = 500;
        var mirror = _models.Server.MirrorUrl.Replace("http://", "http://reader:hunter2@", StringComparison.Ordinal) + "?token=s3cret";

        var result = await _models.RunAsync("models", "fetch", ModelFolderFixture.Id, "--mirror", mirror);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{ModelFolderFixture.FileName}?… answered 500", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.All, StringComparison.Ordinal);
        Assert.EndsWith("token=s3cret", Assert.Single(_models.Server.Requests).Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_present_verified_model_is_not_downloaded_again()
    {
        Directory.CreateDirectory(_models.ModelFolder);
        await File.WriteAllBytesAsync(_models.ModelPath, _models.Bytes);

        var result = await _models.FetchAsync();

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("present and verified", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(_models.Server.Requests);
    }

    [Fact]
    public async Task A_present_file_with_the_wrong_checksum_is_fetched_again_and_replaced()
    {
        Directory.CreateDirectory(_models.ModelFolder);
        var damaged = (byte[])_models.Bytes.Clone();
        damaged[0] ^= 0xFF;
        await File.WriteAllBytesAsync(_models.ModelPath, damaged);

        var result = await _models.FetchAsync();

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("fetching it again", result.Stderr, StringComparison.Ordinal);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
    }

    [Fact]
    public async Task A_mirror_folder_serves_models_by_file_name_for_air_gapped_machines()
    {
        var share = Path.Combine(_models.Root, "share");
        Directory.CreateDirectory(share);
        await File.WriteAllBytesAsync(Path.Combine(share, ModelFolderFixture.FileName), _models.Bytes);

        var result = await _models.RunAsync("models", "fetch", ModelFolderFixture.Id, "--mirror", share);

        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(_models.Bytes, await File.ReadAllBytesAsync(_models.ModelPath));
        Assert.Empty(_models.Server.Requests);
    }

    public void Dispose() => _models.Dispose();
}
