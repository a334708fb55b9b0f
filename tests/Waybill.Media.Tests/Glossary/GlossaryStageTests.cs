using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Glossary;

/// <summary>03_glossary_load run as a job: TMDB's names and the user's file merged, bad rows as warnings in the manifest.</summary>
public sealed class GlossaryStageTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed class SkipStage : IStage
    {
        public Task RunAsync(StageContext context, CancellationToken cancellationToken)
        {
            context.Finalize(StageStatus.Skipped, "no TMDB_API_KEY set");
            return Task.CompletedTask;
        }
    }

    private async Task<RunResult> Run(string tmdbStage, string glossaryFile)
    {
        var yaml = $$"""
            name: glossary
            stages:
            {{tmdbStage}}
              - id: 03_glossary_load
                uses: media.glossary
                inputs:
                  tmdb: { from: 02_tmdb.tmdb, optional: true }
                outputs:
                  glossary: { path: glossary.json, type: glossary, format: json }
                config:
                  glossary_file: "{{glossaryFile}}"
            """;
        var file = _temp.Write("pipeline/waybill.yaml", yaml);
        var builtins = BuiltinStages.Default.AddMediaStages().Add("test.skip", () => new SkipStage());
        var pipeline = PipelineFileLoader.Load(file, builtins: builtins);
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        JobAssert.ManifestsAreValid(result.JobDir);
        return result;
    }

    private const string TmdbFromFile = """
          - id: 02_tmdb
            uses: copy
            inputs:
              tmdb: { path: tmdb.json }
            outputs:
              tmdb: { path: tmdb.json, type: movie_metadata, format: json }
        """;

    private const string TmdbSkipped = """
          - id: 02_tmdb
            uses: test.skip
            outputs:
              tmdb: { path: tmdb.json, type: movie_metadata, format: json }
        """;

    private StageManifest Manifest() => ManifestJson.ReadStage(_temp.Combine("out", "job", "03_glossary_load", "manifest.json"));

    private Model.Glossary Output() => MediaJson.Read<Model.Glossary>(_temp.Combine("out", "job", "03_glossary_load", "glossary.json"));

    [Fact]
    public async Task Tmdb_names_and_the_user_glossary_are_merged_and_bad_rows_become_warnings_with_file_and_line()
    {
        _temp.Write("pipeline/tmdb.json", """
            {"query":{"title":"Iron Man","year":2008},
             "movie":{"id":1726,"title":"Iron Man","original_title":"Iron Man","release_date":"2008-04-30","overview":"…","original_language":"en"},
             "cast":[{"name":"Robert Downey Jr.","character":"Tony Stark / Iron Man","order":0},{"name":"Terrence Howard","character":"Rhodey","order":1}],
             "crew":[{"name":"Jon Favreau","job":"Director"}]}
            """);
        _temp.Write("pipeline/data/terms.tsv", "term\ttranslation\n# keep\nrhodey\tRhodes\n\tno term\nArc Reactor\n");

        var result = await Run(TmdbFromFile, "data/terms.tsv");

        Assert.Equal(StageStatus.Success, result.Status);
        var terms = Output().Terms;
        Assert.Equal(["rhodey", "Arc Reactor", "Iron Man", "Robert Downey Jr.", "Terrence Howard", "Tony Stark"], terms.Select(t => t.Term));
        Assert.Equal("Rhodes", terms[0].Translation);
        Assert.Equal(["user", "user", "tmdb", "tmdb", "tmdb", "tmdb"], terms.Select(t => t.Source));

        var manifest = Manifest();
        Assert.Equal("glossary row skipped: data/terms.tsv:4: empty term", manifest.Warnings.Single().Message);
        var input = manifest.Inputs.Single(i => i.Name == "glossary_file");
        Assert.EndsWith("pipeline/data/terms.tsv", input.Path, StringComparison.Ordinal);
        Assert.Equal("tsv", input.Format);
        Assert.Equal(2, input.Metadata!["terms"].GetInt32());
        Assert.NotNull(input.Checksum);
        Assert.Contains(manifest.Inputs, i => i.Name == "tmdb" && i.FromStage == "02_tmdb");
        var output = manifest.Outputs.Single(o => o.Name == "glossary");
        Assert.Equal(6, output.Metadata!["terms"].GetInt32());
        Assert.Equal(4, output.Metadata["from_tmdb"].GetInt32());
    }

    [Fact]
    public async Task Without_tmdb_the_glossary_holds_the_user_terms_only()
    {
        _temp.Write("pipeline/glossary.csv", "Wakanda,,place\n\"Shuri, Princess\",Prinzessin Shuri\n");

        var result = await Run(TmdbSkipped, "glossary.csv");

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal("success", Manifest().Status);
        Assert.Equal([new GlossaryTerm("Wakanda", null, "user", "place"), new("Shuri, Princess", "Prinzessin Shuri", "user", null)], Output().Terms);
        Assert.Empty(Manifest().Warnings);
    }

    [Fact]
    public async Task Neither_tmdb_nor_a_file_gives_an_empty_glossary()
    {
        var result = await Run(TmdbSkipped, "");
        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Empty(Output().Terms);
    }

    [Fact]
    public async Task A_missing_glossary_file_fails_the_stage_naming_the_path_and_the_config_key()
    {
        var result = await Run(TmdbSkipped, "missing/names.tsv");

        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest();
        Assert.Equal("failed", manifest.Status);
        Assert.Contains(Path.Combine(_temp.Path, "pipeline", "missing", "names.tsv"), manifest.StatusReason, StringComparison.Ordinal);
        Assert.Contains("'glossary_file'", manifest.StatusReason, StringComparison.Ordinal);
        Assert.Null(manifest.Errors.Single().StackTrace);
    }

    [Fact]
    public async Task A_glossary_file_linked_to_dev_zero_fails_the_stage_at_the_line_bound_naming_the_file()
    {
        var path = _temp.Combine("pipeline", "endless.tsv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, "/dev/zero");

        var result = await Run(TmdbSkipped, "endless.tsv");

        Assert.Equal(StageStatus.Failed, result.Status);
        var reason = Manifest().StatusReason!;
        Assert.Contains($"cannot read glossary file {path} (config 'glossary_file'): {path}:1: a line of more than 64 KiB, "
            + "the most a line of a glossary file may hold", reason, StringComparison.Ordinal);
    }
}
