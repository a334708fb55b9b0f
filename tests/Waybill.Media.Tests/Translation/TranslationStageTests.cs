using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Translation;

/// <summary>10_translation run as a job against a local OpenAI-compatible server: output, usage and cost, skip, failure.</summary>
public sealed class TranslationStageTests : IDisposable
{
    private const string Key = "sk-test-0123456789abcdef";
    private readonly TempFolder _temp = new();
    private readonly ChatServer _server = new();

    public void Dispose()
    {
        _server.Dispose();
        _temp.Dispose();
    }

    private async Task<RunResult> Run(string translateTo, string extraConfig = "")
    {
        MediaJson.Write(_temp.Combine("segments.json"), new Transcript
        {
            Backend = "pocketsphinx", Language = "en", Duration = 30,
            Segments = [SegmentTranslatorTests.Segment(0, 1, "Jarvis, wake up."), SegmentTranslatorTests.Segment(1, 4, "Good morning."), SegmentTranslatorTests.Segment(2, 8, "Where is Jarvis?")],
        });
        MediaJson.Write(_temp.Combine("glossary.json"), new Model.Glossary { Terms = [new("Jarvis", null, "tmdb", "character")] });
        var yaml = $$"""
            name: translate
            config:
              language: en
              translate_to: "{{translateTo}}"
            env:
              OPENAI_API_KEY: {{Key}}
            stages:
              - id: 01_fixtures
                uses: copy
                inputs: { segments: segments.json, glossary: glossary.json }
                outputs: { segments: segments.json, glossary: glossary.json }
              - id: 10_translation
                uses: media.translation
                inputs:
                  segments: 01_fixtures.segments
                  glossary: 01_fixtures.glossary
                outputs:
                  translation: { path: translation.json, type: translation, format: json }
                config:
                  url: {{_server.BaseUrl}}
                  model: llama3.1
                  batch_size: 2
            {{extraConfig}}
            """;
        var pipeline = PipelineFileLoader.Parse(yaml, _temp.Combine("waybill.yaml"), builtins: BuiltinStages.Default.AddMediaStages());
        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);
        JobAssert.ManifestsAreValid(result.JobDir);
        return result;
    }

    private string StageFile(string name) => _temp.Combine("out", "job", "10_translation", name);

    private StageManifest Manifest() => ManifestJson.ReadStage(StageFile("manifest.json"));

    [Fact]
    public async Task The_translation_usage_and_cost_land_in_the_job_folder_and_the_key_nowhere()
    {
        _server
            .Reply(ChatReplies.Ollama("1. Jarvis, wach auf.\n2. Guten Morgen.", 150, 20))
            .Reply(ChatReplies.Ollama("1. Wo ist Jarwis?", 100, 10))
            .Reply(ChatReplies.Ollama("1. Wo ist Jarvis?", 110, 10));

        var result = await Run("de", "      price_per_1k: 0.5");

        Assert.Equal(StageStatus.Success, result.Status);
        var translation = MediaJson.Read<Model.Translation>(StageFile("translation.json"));
        Assert.Equal(("en", "de", "llama3.1"), (translation.SourceLanguage, translation.TargetLanguage, translation.Model));
        Assert.Equal(["Jarvis, wach auf.", "Guten Morgen.", "Wo ist Jarvis?"], translation.Segments.Select(s => s.Text));
        Assert.Equal(["Jarvis, wake up.", "Good morning.", "Where is Jarvis?"], translation.Segments.Select(s => s.SourceText));
        Assert.Equal([(1.0, 3.0), (4.0, 6.0), (8.0, 10.0)], translation.Segments.Select(s => (s.Start, s.End)));
        Assert.All(_server.Requests, r => Assert.Equal("Bearer " + Key, r.Authorization));
        Assert.All(_server.Requests, r => Assert.Equal("llama3.1", r.Model));

        var manifest = Manifest();
        var resources = manifest.Resources.Extra!;
        Assert.Equal(3, resources["requests"].GetInt32());
        Assert.Equal(360, resources["prompt_tokens"].GetInt64());
        Assert.Equal(40, resources["completion_tokens"].GetInt64());
        Assert.Equal(400, resources["total_tokens"].GetInt64());
        Assert.Equal(0.2, resources["cost_usd"].GetDouble(), 6);
        Assert.Equal(new Dictionary<string, double> { ["tokens"] = 400, ["api_calls"] = 3 }, manifest.Resources.Usage);
        Assert.Equal("segment 2: the translation left out glossary term \"Jarvis\"; fixed by asking again", manifest.Warnings.Single().Message);
        Assert.Equal(1, manifest.Outputs.Single(o => o.Name == "translation").Metadata!["glossary_violations"].GetInt32());

        Assert.DoesNotContain(Key, File.ReadAllText(StageFile("manifest.json")), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, File.ReadAllText(StageFile("stage.log")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_the_optional_glossary_stage_fails_the_translation_runs_without_its_terms()
    {
        MediaJson.Write(_temp.Combine("segments.json"), new Transcript
        {
            Backend = "pocketsphinx", Language = "en", Duration = 30,
            Segments = [SegmentTranslatorTests.Segment(0, 1, "Jarvis, wake up."), SegmentTranslatorTests.Segment(1, 4, "Where is Jarvis?")],
        });
        _server.Reply(ChatReplies.Ollama("1. Jarvis, wach auf.\n2. Wo ist Jarwis?", 150, 20));
        var yaml = $$"""
            name: translate
            config: { language: en, translate_to: de }
            stages:
              - id: 01_fixtures
                uses: copy
                inputs: { segments: segments.json }
                outputs: { segments: segments.json }
              - id: 03_glossary_load
                optional: true
                run: 'echo "glossary.tsv: line 3: unbalanced quote" >&2; exit 2'
                outputs: { glossary: glossary.json }
              - id: 10_translation
                uses: media.translation
                inputs:
                  segments: 01_fixtures.segments
                  glossary: { from: 03_glossary_load.glossary, optional: true }
                outputs: { translation: translation.json }
                config: { url: "{{_server.BaseUrl}}", model: llama3.1 }
            """;
        var pipeline = PipelineFileLoader.Parse(yaml, _temp.Combine("waybill.yaml"), builtins: BuiltinStages.Default.AddMediaStages());

        var result = await PipelineRunner.RunAsync(pipeline, new RunOptions { JobId = "job", OutputRoot = _temp.Combine("out"), MaxParallel = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(StageStatus.Success, result.Status);
        Assert.Equal(["optional stage 03_glossary_load failed: command exited with code 2: glossary.tsv: line 3: unbalanced quote"], result.Warnings);
        var manifest = Manifest();
        Assert.Equal("success", manifest.Status);
        Assert.Equal("no glossary (input 'glossary' is absent): no names or terms are enforced", manifest.Warnings.Single().Message);
        Assert.Equal(["Jarvis, wach auf.", "Wo ist Jarwis?"], MediaJson.Read<Model.Translation>(StageFile("translation.json")).Segments.Select(s => s.Text));
        Assert.Single(_server.Requests);
        JobAssert.ManifestsAreValid(result.JobDir);
    }

    [Fact]
    public async Task Without_translate_to_the_stage_is_skipped_and_nothing_is_sent()
    {
        var result = await Run("");

        Assert.Equal(StageStatus.Success, result.Status);
        var manifest = Manifest();
        Assert.Equal("skipped", manifest.Status);
        Assert.Equal("no target language: pass --translate-to LANG", manifest.StatusReason);
        Assert.Empty(_server.Requests);
        Assert.False(File.Exists(StageFile("translation.json")));
    }

    [Fact]
    public async Task A_refused_key_fails_the_stage_with_the_status_and_message_and_the_usage_so_far()
    {
        _server.Reply(ChatReplies.InvalidKey, 401);

        var result = await Run("de");

        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest();
        Assert.Equal("failed", manifest.Status);
        Assert.Contains("answered HTTP 401 Unauthorized: Incorrect API key provided: ***.", manifest.StatusReason, StringComparison.Ordinal);
        Assert.Contains("(check OPENAI_API_KEY)", manifest.StatusReason, StringComparison.Ordinal);
        Assert.Equal(0, manifest.Resources.Extra!["requests"].GetInt32());
        Assert.DoesNotContain(Key, File.ReadAllText(StageFile("manifest.json")), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, File.ReadAllText(result.PipelineLog), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Tokens_spent_before_a_request_failed_are_reported_with_the_failure()
    {
        _server
            .Reply(ChatReplies.Ollama("1. Jarvis, wach auf.\n2. Guten Morgen.", 150, 20))
            .Reply(ChatReplies.InvalidKey, 401);

        var result = await Run("de");

        Assert.Equal(StageStatus.Failed, result.Status);
        var manifest = Manifest();
        Assert.Equal(170, manifest.Resources.Extra!["total_tokens"].GetInt64());
        Assert.Equal(170, manifest.Resources.Usage!["tokens"]);
    }
}
