using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Glossary;

/// <summary>
/// 03_glossary_load: the names and terms a translation must keep, from TMDB (optional input <c>tmdb</c>) and the
/// user's <c>glossary_file</c> (TSV/CSV, relative to the pipeline file's folder). Writes <c>glossary.json</c>.
/// </summary>
public sealed class GlossaryStage : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var tmdbTerms = new List<GlossaryTerm>();
        if (context.Definition.Inputs.Any(i => i.Name == "tmdb") && context.HasInput("tmdb"))
        {
            tmdbTerms = TmdbNames.Terms(MediaJson.Read<TmdbFile>(context.InputPath("tmdb")));
            context.Logger.LogInformation("TMDB: {Count} names (title, cast, characters)", tmdbTerms.Count);
        }
        else
        {
            context.Logger.LogInformation("no TMDB data: the glossary holds only the user's terms");
        }

        var userTerms = ReadUserGlossary(context);
        var glossary = GlossaryMerger.Merge(userTerms, tmdbTerms);
        var output = context.OutputPath("glossary");
        MediaJson.Write(output, glossary);

        var fromUser = glossary.Terms.Count(t => t.Source == GlossaryFileReader.Source);
        var fromTmdb = glossary.Terms.Count - fromUser;
        context.TrackOutput(output, "glossary", "json", [new("terms", glossary.Terms.Count), new("from_user", fromUser), new("from_tmdb", fromTmdb)], name: "glossary");
        context.Logger.LogInformation("glossary: {Count} terms ({User} from the user, {Tmdb} from TMDB)", glossary.Terms.Count, fromUser, fromTmdb);
        if (glossary.Terms.Count == 0) context.Logger.LogInformation("the glossary is empty: no TMDB data and no glossary_file");
        return Task.CompletedTask;
    }

    private static List<GlossaryTerm> ReadUserGlossary(StageContext context)
    {
        var configured = context.GetConfig<string>("glossary_file", "");
        if (string.IsNullOrWhiteSpace(configured)) return [];
        var path = Path.GetFullPath(Path.Combine(context.Pipeline.BaseDirectory, configured));
        if (!File.Exists(path))
            throw new StageFailedException($"glossary file not found: {path} (config 'glossary_file' of {context.StageId} is '{configured}', relative to {context.Pipeline.BaseDirectory}); fix the path or set glossary_file to \"\"");

        GlossaryFile file;
        try
        {
            file = GlossaryFileReader.Read(path, configured);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StageFailedException($"cannot read glossary file {path} (config 'glossary_file'): {e.Message}", e);
        }
        context.TrackInput(path, "glossary", file.Format, [new("terms", file.Terms.Count), new("skipped_rows", file.Problems.Count), new("header", file.HasHeader)], name: "glossary_file");
        foreach (var problem in file.Problems) context.AddWarning($"glossary row skipped: {problem}");
        context.Logger.LogInformation("{File}: {Count} terms read as {Format}, {Skipped} rows skipped", configured, file.Terms.Count, file.Format.ToUpperInvariant(), file.Problems.Count);
        return [.. file.Terms];
    }
}
