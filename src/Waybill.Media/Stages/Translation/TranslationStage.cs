using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Translation;

/// <summary>
/// 10_translation: the cleaned transcript in <c>translate_to</c>, through an OpenAI-compatible chat endpoint
/// (<c>url</c>, <c>model</c>), with the glossary's names kept. Skipped when no target language is given.
/// Token usage, request count and (with <c>price_per_1k</c>, USD per 1,000 tokens; a name without "token", which would mark it secret) the cost go to the manifest's resources.
/// </summary>
public sealed class TranslationStage : IStage
{
    public async Task RunAsync(StageContext context, CancellationToken cancellationToken)
    {
        var target = context.GetConfig<string>("translate_to", "")?.Trim() ?? "";
        var source = context.GetConfig<string>("language", "en")?.Trim() ?? "en";
        if (target.Length == 0)
        {
            context.Finalize(StageStatus.Skipped, "no target language: pass --translate-to LANG");
            return;
        }
        if (string.Equals(target, source, StringComparison.OrdinalIgnoreCase))
        {
            context.Finalize(StageStatus.Skipped, $"translate_to '{target}' is the spoken language: nothing to translate");
            return;
        }

        var url = context.GetConfig<string>("url", "")?.Trim() ?? "";
        var model = context.GetConfig<string>("model", "")?.Trim() ?? "";
        if (url.Length == 0) throw new StageFailedException($"config 'url' of {context.StageId} is empty: give the base URL of an OpenAI-compatible server, e.g. http://localhost:11434/v1 (Ollama)");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new StageFailedException($"config 'url' of {context.StageId} is '{url}', not an http(s) URL");
        if (model.Length == 0) throw new StageFailedException($"config 'model' of {context.StageId} is empty: name the chat model, e.g. llama3.1");
        var batchSize = (int)Number(context, "batch_size", 20, 1);
        var timeout = Number(context, "timeout_seconds", 300, 1);
        var temperature = context.GetConfig<double?>("temperature", 0);
        var price = context.GetConfig<double?>("price_per_1k", null);
        context.AddConfig("batch_size", batchSize);
        context.AddConfig("timeout_seconds", timeout);
        context.AddConfig("temperature", temperature);

        var transcript = MediaJson.Read<Transcript>(context.InputPath("segments"));
        // The glossary is an optional input (03_glossary_load is an optional stage): without it no term is enforced.
        var declared = context.Definition.Inputs.Any(i => i.Name == "glossary");
        var glossary = declared && context.HasInput("glossary")
            ? MediaJson.Read<Model.Glossary>(context.InputPath("glossary"))
            : new Model.Glossary();
        if (declared && !context.HasInput("glossary")) context.AddWarning("no glossary (input 'glossary' is absent): no names or terms are enforced");
        var apiKey = context.EnvironmentVariable("OPENAI_API_KEY");
        context.Logger.LogInformation("translating {Count} segments from {Source} to {Target} with {Model} at {Url} (batches of {Batch}, {Terms} glossary terms, {Auth})",
            transcript.Segments.Count, source, target, model, url, batchSize, glossary.Terms.Count, apiKey is null ? "no API key" : "API key from OPENAI_API_KEY");

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(timeout) };
        var client = new ChatCompletionsClient(http, url, apiKey);
        var translator = new SegmentTranslator(client, new TranslatorSettings(model, source, target, batchSize, temperature), context.Logger, message => context.AddWarning(message));
        var clock = Stopwatch.StartNew();
        List<TranslatedSegment> segments;
        try
        {
            segments = await translator.TranslateAsync(transcript.Segments, glossary.Terms, cancellationToken);
        }
        finally
        {
            RecordUsage(context, translator.Stats, price, clock.Elapsed.TotalSeconds);
        }

        var output = context.OutputPath("translation");
        MediaJson.Write(output, new Model.Translation { SourceLanguage = source, TargetLanguage = target, Model = model, Segments = segments });
        var stats = translator.Stats;
        context.TrackOutput(output, "translation", "json",
            [new("segments", segments.Count), new("target_language", target), new("glossary_violations", stats.GlossaryViolations), new("glossary_unfixed", stats.Unfixed)], name: "translation");
        context.Logger.LogInformation("translated {Count} segments in {Requests} requests ({Tokens} tokens); glossary: {Violations} violations, {Reask} fixed by asking again, {Substituted} by substitution, {Unfixed} left",
            segments.Count, stats.Requests, stats.TotalTokens, stats.GlossaryViolations, stats.FixedByAskingAgain, stats.FixedBySubstitution, stats.Unfixed);
        if (transcript.Segments.Count == 0) context.AddWarning("nothing to translate: the transcript is empty");
    }

    private static void RecordUsage(StageContext context, TranslationStats stats, double? price, double seconds)
    {
        context.SetResource("requests", stats.Requests);
        context.SetResource("prompt_tokens", stats.PromptTokens);
        context.SetResource("completion_tokens", stats.CompletionTokens);
        context.SetResource("total_tokens", stats.TotalTokens);
        context.SetResource("translate_seconds", Math.Round(seconds, 3));
        // What the endpoint bills by, for the pipeline's rate card (reports: [tokens, api_calls]).
        context.ReportUsage("tokens", stats.TotalTokens);
        context.ReportUsage("api_calls", stats.Requests);
        if (stats.LineCountRetries > 0) context.SetResource("line_count_retries", stats.LineCountRetries);
        if (stats.RequestsWithoutUsage > 0)
            context.AddWarning($"{stats.RequestsWithoutUsage} of {stats.Requests} replies reported no token usage; the token counts leave them out");
        if (price is { } perThousand)
            context.SetResource("cost_usd", Math.Round(stats.TotalTokens / 1000.0 * perThousand, 6));
    }

    private static double Number(StageContext context, string key, double fallback, double minimum)
    {
        var value = context.GetConfig<double?>(key, null) ?? fallback;
        if (value < minimum || double.IsNaN(value))
            throw new StageFailedException($"config '{key}' of {context.StageId} is {value.ToString(CultureInfo.InvariantCulture)}; it must be at least {minimum.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }
}
