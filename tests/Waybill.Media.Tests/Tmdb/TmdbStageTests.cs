using Waybill.Media.Tools;
using System.Diagnostics;
using System.Text.Json;
using Waybill.Core.Pipeline;
using Waybill.Media.Model;
using Waybill.Media.Stages.Demux;
using Waybill.Media.Stages.Tmdb;
using Waybill.Media.Tests.Demux;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Tmdb;

/// <summary>02_tmdb against a real local HTTP server that answers like TMDB.</summary>
public sealed class TmdbStageTests : IDisposable
{
    private const string V3Key = "3f2c9e1a7b5d4c8e9f0a1b2c3d4e5f60";
    private const string V4Token = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ3YXliaWxsLXRlc3QiLCJzY29wZXMiOlsiYXBpX3JlYWQiXX0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";

    private readonly TempFolder _temp = new();
    private readonly StageHarness _run;

    public TmdbStageTests() => _run = new StageHarness(_temp);

    public void Dispose() => _temp.Dispose();

    private static Reply Json(string body, int status = 200, IReadOnlyDictionary<string, string>? headers = null) => new(status, body, headers);

    /// <summary>TMDB for Fight Club: search, then credits of 550.</summary>
    private static Reply FightClub(SeenRequest request) => request.Path switch
    {
        "/3/search/movie" => Json(TmdbResponses.FightClubSearch),
        "/3/movie/550/credits" => Json(TmdbResponses.FightClubCredits),
        _ => Json(TmdbResponses.NotFound, 404),
    };

    private string Metadata(string fileName)
    {
        var path = _temp.Combine("metadata.json");
        MediaJson.Write(path, new MediaMetadata { FileName = fileName, Path = "/media/" + fileName, Format = "matroska,webm" });
        return path;
    }

    private PipelineDefinition Pipeline(LocalHttpServer server, string? key, string fileName = "Fight.Club.1999.1080p.BluRay.x264.mkv", string title = "", long maxCast = 20, double? timeout = null)
    {
        var builder = new PipelineBuilder("tmdb", _temp.Path).Config("title", title);
        builder.Env("TMDB_API_KEY", key ?? "");
        var metadata = Metadata(fileName);
        return builder.Stage("02_tmdb", () => new TmdbStage(), s =>
        {
            s.ExternalInput("metadata", metadata, "media_metadata").Output("tmdb", "tmdb.json", "movie_metadata", "json")
                .Config("api_url", server.ApiUrl).Config("max_cast", maxCast);
            if (timeout is { } t) s.Config("timeout_seconds", t);
        }).Build();
    }

    private JsonElement TmdbJson() => JsonDocument.Parse(File.ReadAllText(_run.StageDir("02_tmdb") + "/tmdb.json")).RootElement;

    /// <summary>Every file in the job folder (logs, manifests, the pipeline copy, outputs) is free of the key.</summary>
    private void AssertKeyNowhere(string key)
    {
        foreach (var file in Directory.EnumerateFiles(_run.JobDir(), "*", SearchOption.AllDirectories))
            Assert.False(File.ReadAllText(file).Contains(key, StringComparison.Ordinal), $"{file} contains the API key");
    }

    [Fact]
    public async Task A_v3_key_searches_by_title_and_year_from_the_file_name_and_writes_tmdb_json()
    {
        using var server = new LocalHttpServer(FightClub);

        await _run.RunAsync(Pipeline(server, V3Key, maxCast: 3));

        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(("GET", "/3/search/movie"), (requests[0].Method, requests[0].Path));
        Assert.Equal("Fight Club", requests[0].Query["query"]);
        Assert.Equal("1999", requests[0].Query["year"]);
        Assert.Equal(V3Key, requests[0].Query["api_key"]);
        Assert.Null(requests[0].Authorization);
        Assert.Equal("/3/movie/550/credits", requests[1].Path);
        Assert.Equal(V3Key, requests[1].Query["api_key"]);

        var json = TmdbJson();
        Assert.Equal("Fight Club", json.GetProperty("query").GetProperty("title").GetString());
        Assert.Equal(1999, json.GetProperty("query").GetProperty("year").GetInt32());
        var movie = json.GetProperty("movie");
        Assert.Equal(550, movie.GetProperty("id").GetInt64());
        Assert.Equal("Fight Club", movie.GetProperty("title").GetString());
        Assert.Equal("Fight Club", movie.GetProperty("original_title").GetString());
        Assert.Equal("1999-10-15", movie.GetProperty("release_date").GetString());
        Assert.StartsWith("A ticking-time-bomb insomniac", movie.GetProperty("overview").GetString(), StringComparison.Ordinal);
        Assert.Equal("en", movie.GetProperty("original_language").GetString());
        Assert.Equal(["id", "title", "original_title", "release_date", "overview", "original_language"], movie.EnumerateObject().Select(p => p.Name));
        // Billing order, cut at max_cast; names, characters and order only.
        Assert.Equal(
            [("Edward Norton", "Narrator", 0), ("Brad Pitt", "Tyler Durden", 1), ("Helena Bonham Carter", "Marla Singer", 2)],
            json.GetProperty("cast").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("character").GetString(), c.GetProperty("order").GetInt32())));
        Assert.Equal(["name", "character", "order"], json.GetProperty("cast")[0].EnumerateObject().Select(p => p.Name));
        // Directors and writers only, each once.
        Assert.Equal(
            [("David Fincher", "Director"), ("Jim Uhls", "Screenplay")],
            json.GetProperty("crew").EnumerateArray().Select(c => (c.GetProperty("name").GetString(), c.GetProperty("job").GetString())));
        Assert.Equal(["query", "movie", "cast", "crew"], json.EnumerateObject().Select(p => p.Name));

        var manifest = _run.Manifest("02_tmdb");
        Assert.Equal("success", manifest.Status);
        var output = manifest.Outputs.Single(o => o.Name == "tmdb");
        Assert.Equal(550, output.Metadata!["movie_id"].GetInt64());
        Assert.Equal(3, output.Metadata["cast_count"].GetInt32());
        Assert.Equal("file name 'Fight.Club.1999.1080p.BluRay.x264.mkv'", output.Metadata["query_source"].GetString());
        Assert.Equal(2, manifest.Resources.Extra!["http_requests"].GetInt32());
        Assert.Contains("GET /search/movie?query=Fight%20Club&include_adult=false&page=1&year=1999 (api_key)", _run.StageLog("02_tmdb"), StringComparison.Ordinal);
        AssertKeyNowhere(V3Key);
    }

    [Fact]
    public async Task A_v4_token_goes_in_the_authorization_header_and_config_title_wins_over_the_file_name()
    {
        using var server = new LocalHttpServer(FightClub);

        await _run.RunAsync(Pipeline(server, V4Token, fileName: "some_other_film-2005.mkv", title: "Fight Club (1999)"));

        Assert.All(server.Requests, r =>
        {
            Assert.Equal("Bearer " + V4Token, r.Authorization);
            Assert.False(r.Query.ContainsKey("api_key"));
        });
        var search = server.Requests.First();
        Assert.Equal(("Fight Club", "1999"), (search.Query["query"], search.Query["year"]));
        Assert.Equal(5, TmdbJson().GetProperty("cast").GetArrayLength());
        Assert.Equal("config 'title'", _run.Manifest("02_tmdb").Outputs.Single().Metadata!["query_source"].GetString());
        AssertKeyNowhere(V4Token);
    }

    [Fact]
    public async Task Without_a_key_the_stage_is_skipped_and_asks_nothing()
    {
        using var server = new LocalHttpServer(FightClub);

        await _run.RunAsync(Pipeline(server, key: null));

        var manifest = _run.Manifest("02_tmdb");
        Assert.Equal(("skipped", "no TMDB_API_KEY set"), (manifest.Status, manifest.StatusReason));
        Assert.Empty(server.Requests);
        Assert.False(File.Exists(_run.StageDir("02_tmdb") + "/tmdb.json"));
    }

    [Fact]
    public async Task A_rejected_key_fails_with_tmdbs_message_and_the_key_appears_nowhere()
    {
        using var server = new LocalHttpServer(_ => Json(TmdbResponses.InvalidKey, 401));

        await _run.RunAsync(Pipeline(server, V3Key));

        Assert.Equal("TMDB rejected the API key (401): Invalid API key: You must be granted a valid key.; check TMDB_API_KEY", _run.Failure("02_tmdb"));
        AssertKeyNowhere(V3Key);
    }

    [Fact]
    public async Task No_match_is_a_warning_and_tmdb_json_says_movie_null()
    {
        using var server = new LocalHttpServer(_ => Json(TmdbResponses.NoResults));

        await _run.RunAsync(Pipeline(server, V3Key, fileName: "Unknown Home Video (2003).mp4"));

        var manifest = _run.Manifest("02_tmdb");
        Assert.Equal("success", manifest.Status);
        Assert.StartsWith("no TMDB match for 'Unknown Home Video (2003)'", Assert.Single(manifest.Warnings).Message, StringComparison.Ordinal);
        var json = TmdbJson();
        Assert.Equal(JsonValueKind.Null, json.GetProperty("movie").ValueKind);
        Assert.Equal(0, json.GetProperty("cast").GetArrayLength());
        Assert.Equal(0, json.GetProperty("crew").GetArrayLength());
        Assert.Equal(2003, json.GetProperty("query").GetProperty("year").GetInt32());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Too_many_requests_is_retried_once_after_retry_after()
    {
        var searches = 0;
        using var server = new LocalHttpServer(r => r.Path == "/3/search/movie" && Interlocked.Increment(ref searches) == 1
            ? Json(TmdbResponses.RateLimited, 429, new Dictionary<string, string> { ["Retry-After"] = "1" })
            : FightClub(r));
        var watch = Stopwatch.StartNew();

        await _run.RunAsync(Pipeline(server, V3Key));

        Assert.Equal("success", _run.Manifest("02_tmdb").Status);
        Assert.Equal(["/3/search/movie", "/3/search/movie", "/3/movie/550/credits"], server.Requests.Select(r => r.Path));
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {watch.Elapsed}");
        Assert.Equal(3, _run.Manifest("02_tmdb").Resources.Extra!["http_requests"].GetInt32());
    }

    [Fact]
    public async Task A_second_429_fails()
    {
        using var server = new LocalHttpServer(_ => Json(TmdbResponses.RateLimited, 429, new Dictionary<string, string> { ["Retry-After"] = "0" }));

        await _run.RunAsync(Pipeline(server, V3Key));

        Assert.StartsWith("TMDB refused GET /search/movie?query=Fight%20Club", _run.Failure("02_tmdb"), StringComparison.Ordinal);
        Assert.Contains("twice for too many requests (429): Your request count (41) is over the allowed limit of (40).; try again later", _run.Failure("02_tmdb"), StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_server_error_fails_with_status_and_message()
    {
        using var server = new LocalHttpServer(r => r.Path == "/3/search/movie" ? Json(TmdbResponses.FightClubSearch) : Json(TmdbResponses.ServerError, 500));

        await _run.RunAsync(Pipeline(server, V3Key));

        Assert.Equal("TMDB answered GET /movie/550/credits with HTTP 500 Internal Server Error: Internal error: Something went wrong, contact TMDb.; TMDB has a problem; try again later", _run.Failure("02_tmdb"));
    }

    [Fact]
    public async Task A_slow_server_fails_after_timeout_seconds()
    {
        // The server would answer after 60 s: the bound below is a safety net between the 0.5 s timeout and that, wide
        // enough for a busy machine (with a 5 s answer and a 4 s bound, a slow run was hard to tell from a missing timeout).
        using var server = new LocalHttpServer(_ => new Reply(200, TmdbResponses.FightClubSearch, Delay: TimeSpan.FromSeconds(60)));
        var watch = Stopwatch.StartNew();

        await _run.RunAsync(Pipeline(server, V3Key, timeout: 0.5));

        Assert.Equal($"TMDB did not answer GET /search/movie?query=Fight%20Club&include_adult=false&page=1&year=1999 at {server.ApiUrl} within 0.5 s; check the network or raise config 'timeout_seconds'", _run.Failure("02_tmdb"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_server_that_is_not_there_fails_naming_api_url()
    {
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        using var server = new LocalHttpServer(FightClub);
        var pipeline = new PipelineBuilder("tmdb", _temp.Path).Config("title", "Fight Club (1999)").Env("TMDB_API_KEY", V3Key)
            .Stage("02_tmdb", () => new TmdbStage(), s => s.Output("tmdb", "tmdb.json").Config("api_url", $"http://127.0.0.1:{port}/3"))
            .Build();

        await _run.RunAsync(pipeline);

        Assert.StartsWith($"cannot reach TMDB at http://127.0.0.1:{port}/3 (GET /search/movie?query=Fight%20Club", _run.Failure("02_tmdb"), StringComparison.Ordinal);
        AssertKeyNowhere(V3Key);
    }

    [Fact]
    public async Task Demux_then_tmdb_on_a_real_release_file()
    {
        using var server = new LocalHttpServer(FightClub);
        var video = MediaFiles.Video(_temp.Combine("Fight.Club.1999.1080p.BluRay.x264.mp4"), seconds: 1);
        var pipeline = new PipelineBuilder("movie", _temp.Path).Config("video", video).Config("language", "en").Config("title", "")
            .Env("TMDB_API_KEY", V3Key)
            .Stage("01_demux", () => new DemuxStage(), s => s.ExternalInput("video", "{config.video}", "video").Output("audio", "audio.wav").Output("metadata", "metadata.json"))
            .Stage("02_tmdb", () => new TmdbStage(), s => s.Input("metadata", "01_demux.metadata").Output("tmdb", "tmdb.json").Config("api_url", server.ApiUrl))
            .Build();

        var result = await _run.RunAsync(pipeline);

        Assert.Equal(Waybill.Core.Manifests.StageStatus.Success, result.Status);
        Assert.Equal(("Fight Club", "1999"), (server.Requests.First().Query["query"], server.Requests.First().Query["year"]));
        Assert.Equal(550, TmdbJson().GetProperty("movie").GetProperty("id").GetInt64());
        AssertKeyNowhere(V3Key);
    }
}
