using Waybill.Media.Tools;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Media.Stages.Demux;

namespace Waybill.Media.Stages.Tmdb;

/// <summary>
/// 02_tmdb: looks the movie up on TMDB (title and year from config <c>title</c> or from the source file name in
/// 01_demux's metadata.json) and writes its title, cast and directors/writers to tmdb.json for the glossary.
/// Skipped without TMDB_API_KEY.
/// </summary>
public sealed class TmdbStage : IStage
{
    public const string DefaultApiUrl = "https://api.themoviedb.org/3";

    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var key = context.EnvironmentVariable("TMDB_API_KEY");
        if (key is null)
        {
            context.Finalize(StageStatus.Skipped, "no TMDB_API_KEY set");
            return;
        }
        var apiUrl = context.GetConfig<string>("api_url", null) is { Length: > 0 } url ? url : DefaultApiUrl;
        var maxCast = (int)context.GetConfig<long>("max_cast", 20);
        var timeout = Seconds(context.GetConfig<JsonNode>("timeout_seconds", null), 20);
        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            throw new StageFailedException($"config 'api_url' is '{apiUrl}', not an http(s) URL; the default is {DefaultApiUrl}");
        if (maxCast < 0) throw new StageFailedException($"config 'max_cast' is {maxCast}: it must be 0 or more");

        var (query, source) = Query(context);
        context.AddConfig("api_url", apiUrl);
        context.AddConfig("max_cast", maxCast);
        context.AddConfig("timeout_seconds", timeout);

        using var client = new TmdbClient(apiUrl, key, TimeSpan.FromSeconds(timeout), context.Logger);
        context.Logger.LogInformation("Searching TMDB for '{Query}' (title from {Source}, {Auth} auth)", query, source, client.AuthMethod);
        var output = context.OutputPath("tmdb");
        try
        {
            var movie = await client.FindMovieAsync(query, cancellationToken);
            if (movie is null)
            {
                context.AddWarning($"no TMDB match for '{query}'; set config 'title' (\"Movie (2019)\") if the title was read wrongly");
                Write(context, output, new TmdbResult { Query = new(query.Title, query.Year) }, source);
                return;
            }
            var (cast, crew) = await client.CreditsAsync(movie.Id, maxCast, cancellationToken);
            context.Logger.LogInformation("TMDB match: {Title} ({Date}), id {Id}; {Cast} cast, {Crew} crew", movie.Title, movie.ReleaseDate ?? "no date", movie.Id, cast.Count, crew.Count);
            Write(context, output, new TmdbResult { Query = new(query.Title, query.Year), Movie = movie, Cast = cast, Crew = crew }, source);
        }
        finally
        {
            context.SetResource("http_requests", client.Requests);
        }
    }

    private static void Write(StageContext context, string path, TmdbResult result, string source)
    {
        MediaJson.Write(path, result);
        context.TrackOutput(path, "movie_metadata", "json", new Dictionary<string, object?>
        {
            ["matched"] = result.Movie is not null,
            ["movie_id"] = result.Movie?.Id,
            ["cast_count"] = result.Cast.Count,
            ["crew_count"] = result.Crew.Count,
            ["query_source"] = source,
        }, name: "tmdb");
    }

    /// <summary>Config <c>title</c> when set, else the source file name from 01_demux's metadata.json.</summary>
    private static (TitleQuery Query, string Source) Query(StageContext context)
    {
        if (TitleQuery.FromTitle(context.GetConfig<string>("title", null)) is { } fromConfig) return (fromConfig, "config 'title'");
        if (!context.Definition.Inputs.Any(i => i.Name == "metadata") || !context.HasInput("metadata"))
            throw new StageFailedException("no title to search for: set config 'title' (\"Movie (2019)\") or give input 'metadata' (01_demux's metadata.json)");
        var metadata = MediaJson.Read<MediaMetadata>(context.InputPath("metadata"));
        return TitleQuery.FromFileName(metadata.FileName) is { } fromFile
            ? (fromFile, $"file name '{metadata.FileName}'")
            : throw new StageFailedException($"cannot read a title from the file name '{metadata.FileName}'; set config 'title' (\"Movie (2019)\")");
    }

    private static double Seconds(JsonNode? node, double fallback)
    {
        if (node is null) return fallback;
        if (node is JsonValue value && value.GetValueKind() == JsonValueKind.Number &&
            double.Parse(value.ToJsonString(), CultureInfo.InvariantCulture) is var seconds and > 0)
            return seconds;
        throw new StageFailedException($"config 'timeout_seconds' is {node.ToJsonString()}: it must be a number of seconds above 0");
    }
}
