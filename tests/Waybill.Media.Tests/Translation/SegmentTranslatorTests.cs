using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Core.Stages;
using Waybill.Media.Model;
using Waybill.Media.Stages.Translation;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Translation;

/// <summary>The translator against a real HTTP server answering with recorded chat completions.</summary>
public sealed class SegmentTranslatorTests : IDisposable
{
    private const string Key = "sk-test-0123456789abcdef";
    private readonly ChatServer _server = new();
    private readonly HttpClient _http = new();
    private readonly List<string> _warnings = [];

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
    }

    private static readonly List<GlossaryTerm> Glossary =
    [
        new("Tony Stark", null, "tmdb", "character"),
        new("Arc Reactor", "Arc-Reaktor", "user", "object"),
        new("Pepper Potts", null, "tmdb", "character"),
    ];

    internal static TranscriptSegment Segment(int id, double start, string text) =>
        new() { Id = id, Start = start, End = start + 2, Text = text };

    private SegmentTranslator Translator(int batchSize = 20, string? key = Key) =>
        new(new ChatCompletionsClient(_http, _server.BaseUrl, key), new TranslatorSettings("gpt-4o-mini", "en", "de", batchSize), NullLogger.Instance, _warnings.Add);

    private static Task<List<TranslatedSegment>> Translate(SegmentTranslator translator, params TranscriptSegment[] segments) =>
        translator.TranslateAsync(segments, Glossary, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Lines_are_sent_numbered_with_the_glossary_terms_they_use_and_the_reply_is_parsed_in_order()
    {
        _server.Reply(ChatReplies.OpenAi("1. Tony Stark ist nicht da.\n2. Der Arc-Reaktor läuft.\n3. Gute Nacht.", 180, 24));
        var translator = Translator();

        var result = await Translate(translator, Segment(4, 1.0, " Tony Stark is not here."), Segment(7, 4.0, "The arc reactor is running."), Segment(9, 8.0, "Good night."));

        Assert.Equal(["Tony Stark ist nicht da.", "Der Arc-Reaktor läuft.", "Gute Nacht."], result.Select(r => r.Text));
        Assert.Equal([4, 7, 9], result.Select(r => r.Id));
        Assert.Equal((1.0, 3.0, "Tony Stark is not here."), (result[0].Start, result[0].End, result[0].SourceText));

        var request = Assert.Single(_server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer " + Key, request.Authorization);
        Assert.Equal("gpt-4o-mini", request.Model);
        Assert.Equal(0, request.Body["temperature"]!.GetValue<double>());
        Assert.Contains("from English (en) to German (de)", request.System);
        Assert.Contains("Reply with exactly 3 lines, numbered 1 to 3", request.System);
        Assert.Contains("Keep exactly as written, do not translate or change: \"Tony Stark\"", request.System);
        Assert.Contains("Translate as: \"Arc Reactor\" → \"Arc-Reaktor\"", request.System);
        Assert.DoesNotContain("Pepper Potts", request.System); // not in these lines
        Assert.Equal("1. Tony Stark is not here.\n2. The arc reactor is running.\n3. Good night.", request.User);

        Assert.Equal((1, 180, 24, 204), (translator.Stats.Requests, translator.Stats.PromptTokens, translator.Stats.CompletionTokens, translator.Stats.TotalTokens));
        Assert.Empty(_warnings);
    }

    [Fact]
    public async Task Segments_go_in_batches_each_numbered_from_one_and_without_a_key_no_authorization_is_sent()
    {
        _server
            .Reply(r => (200, ChatReplies.Ollama("1. Eins\n2. Zwei", 50, 6)))
            .Reply(r => (200, ChatReplies.Ollama("Here you go:\n1. Drei\n2. Vier", 50, 9)))
            .Reply(r => (200, ChatReplies.Ollama("```\n1. Fünf\n```", 40, 4)));
        var translator = Translator(batchSize: 2, key: null);

        var result = await Translate(translator, Segment(0, 0, "One"), Segment(1, 2, "Two"), Segment(2, 4, "Three"), Segment(3, 6, "Four"), Segment(4, 8, "Five"));

        Assert.Equal(["Eins", "Zwei", "Drei", "Vier", "Fünf"], result.Select(r => r.Text));
        Assert.Equal(["1. One\n2. Two", "1. Three\n2. Four", "1. Five"], _server.Requests.Select(r => r.User));
        Assert.All(_server.Requests, r => Assert.Null(r.Authorization));
        Assert.Equal(3, translator.Stats.Requests);
        Assert.Equal(159, translator.Stats.TotalTokens);
    }

    [Fact]
    public async Task A_reply_with_the_wrong_number_of_lines_is_asked_for_again()
    {
        _server
            .Reply(ChatReplies.OpenAi("1. Lauf! Versteck dich.\n2. Jetzt.", 90, 10))
            .Reply(ChatReplies.OpenAi("1. Lauf!\n2. Versteck dich.\n3. Jetzt.", 120, 12));
        var translator = Translator();

        var result = await Translate(translator, Segment(0, 0, "Run!"), Segment(1, 2, "Hide."), Segment(2, 4, "Now."));

        Assert.Equal(["Lauf!", "Versteck dich.", "Jetzt."], result.Select(r => r.Text));
        var retry = _server.Requests[1];
        Assert.Equal(["system", "user", "assistant", "user"], retry.Messages.Select(m => m.Role));
        Assert.Equal("1. Lauf! Versteck dich.\n2. Jetzt.", retry.Messages[2].Content);
        Assert.Contains("did not have exactly 3 lines", retry.User);
        Assert.Equal(1, translator.Stats.LineCountRetries);
        Assert.Equal(232, translator.Stats.TotalTokens);
    }

    [Fact]
    public async Task After_two_bad_replies_the_batch_is_translated_line_by_line_with_a_warning()
    {
        _server
            .Reply(ChatReplies.OpenAi("1. Ja und nein.", 50, 5))
            .Reply(ChatReplies.OpenAi("Ja und nein.", 60, 5))
            .Reply(ChatReplies.OpenAi("1. Ja.", 30, 3))
            .Reply(ChatReplies.OpenAi("Nein.", 30, 3));

        var result = await Translate(Translator(), Segment(0, 0, "Yes."), Segment(1, 2, "No."));

        Assert.Equal(["Ja.", "Nein."], result.Select(r => r.Text));
        Assert.Equal(["1. Yes.", "1. No."], _server.Requests.Skip(2).Select(r => r.User));
        Assert.Contains("translated them one by one", Assert.Single(_warnings));
    }

    [Fact]
    public async Task A_kept_term_missing_from_the_translation_is_asked_for_again_then_substituted_and_each_violation_is_a_warning()
    {
        _server
            // First answer: line 1 misspells the name, line 2 translates it, line 3 misses the given translation.
            .Reply(ChatReplies.OpenAi("1. Toni Stark ist zurück.\n2. Anton Stark, bitte.\n3. Der Lichtbogenreaktor ist warm.\n4. Tony Stark lacht.", 200, 30))
            // Asked again for lines 1-3: line 1 still misspelt, line 2 now transliterated, line 3 right.
            .Reply(ChatReplies.OpenAi("1. Toni Stark ist zurück.\n2. Тони Старк, bitte.\n3. Der Arc-Reaktor ist warm.", 150, 25));
        var translator = Translator();

        var result = await Translate(translator,
            Segment(0, 0, "Tony Stark is back."), Segment(1, 2, "Tony Stark, please."), Segment(2, 4, "The arc reactor is warm."), Segment(3, 6, "tony stark laughs."));

        Assert.Equal(["Tony Stark ist zurück.", "Anton Stark, bitte.", "Der Arc-Reaktor ist warm.", "Tony Stark lacht."], result.Select(r => r.Text));
        var again = _server.Requests[1];
        Assert.Equal("1. Tony Stark is back.   [must contain: \"Tony Stark\"]\n2. Tony Stark, please.   [must contain: \"Tony Stark\"]\n3. The arc reactor is warm.   [must contain: \"Arc-Reaktor\"]", again.User);
        Assert.Equal(
        [
            "segment 2: the translation left out glossary term \"Arc-Reaktor\"; fixed by asking again",
            "segment 0: the translation left out glossary term \"Tony Stark\"; fixed by substitution",
            "segment 1: the translation left out glossary term \"Tony Stark\" even when asked again; kept the model's text: \"Anton Stark, bitte.\"",
        ], _warnings.OrderBy(w => w.Contains("substitution", StringComparison.Ordinal) ? 1 : w.Contains("even when", StringComparison.Ordinal) ? 2 : 0));
        Assert.Equal((3, 1, 1, 1), (translator.Stats.GlossaryViolations, translator.Stats.FixedByAskingAgain, translator.Stats.FixedBySubstitution, translator.Stats.Unfixed));
    }

    [Fact]
    public async Task Http_500_fails_with_the_status_and_the_servers_message()
    {
        _server.Reply(ChatReplies.OllamaCrashed, 500);
        var error = await Assert.ThrowsAsync<StageFailedException>(() => Translate(Translator(), Segment(0, 0, "Hello.")));
        Assert.Equal($"{_server.BaseUrl}/chat/completions answered HTTP 500 Internal Server Error: llama runner process has terminated: signal: killed", error.Message);
    }

    [Fact]
    public async Task Http_401_fails_with_a_hint_and_never_shows_the_key()
    {
        _server.Reply(ChatReplies.InvalidKey, 401);
        var error = await Assert.ThrowsAsync<StageFailedException>(() => Translate(Translator(), Segment(0, 0, "Hello.")));
        Assert.StartsWith($"{_server.BaseUrl}/chat/completions answered HTTP 401 Unauthorized: Incorrect API key provided: ***.", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(check OPENAI_API_KEY)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_not_running_fails_with_what_to_do()
    {
        using var refusing = new RefusingPort();
        var url = $"http://127.0.0.1:{refusing.Port}/v1";
        var translator = new SegmentTranslator(new ChatCompletionsClient(_http, url, Key), new TranslatorSettings("m", "en", "de"), NullLogger.Instance, _warnings.Add);
        var error = await Assert.ThrowsAsync<StageFailedException>(() => translator.TranslateAsync([Segment(0, 0, "Hi.")], [], TestContext.Current.CancellationToken));
        Assert.StartsWith($"cannot reach {url}/chat/completions: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("is the server running", error.Message, StringComparison.Ordinal);
    }
}
