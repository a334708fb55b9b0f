using Microsoft.Extensions.Logging;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Translation;

/// <summary>What the translator was asked to do.</summary>
public sealed record TranslatorSettings(string Model, string SourceLanguage, string TargetLanguage, int BatchSize = 20, double? Temperature = 0);

/// <summary>Requests made and tokens used, and how the glossary fared.</summary>
public sealed class TranslationStats
{
    public int Requests { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long TotalTokens { get; set; }
    /// <summary>Requests whose reply had no <c>usage</c>: their tokens are not counted.</summary>
    public int RequestsWithoutUsage { get; set; }
    public int LineCountRetries { get; set; }
    public int LineByLineBatches { get; set; }
    public int GlossaryViolations { get; set; }
    public int FixedByAskingAgain { get; set; }
    public int FixedBySubstitution { get; set; }
    public int Unfixed { get; set; }
}

/// <summary>
/// Translates transcript segments in batches of numbered lines. A reply with the wrong lines is asked for once
/// more, then the batch goes line by line. Glossary terms are then checked per line: lines that broke the glossary
/// are asked for again once, naming the terms they must contain; what is still wrong is fixed by substituting the
/// term where the model only changed its spelling, and each violation becomes a warning saying how it ended.
/// </summary>
public sealed class SegmentTranslator(ChatCompletionsClient client, TranslatorSettings settings, ILogger logger, Action<string> warn)
{
    public TranslationStats Stats { get; } = new();

    public async Task<List<TranslatedSegment>> TranslateAsync(IReadOnlyList<TranscriptSegment> segments, IReadOnlyList<GlossaryTerm> glossary, CancellationToken cancellationToken)
    {
        var result = new List<TranslatedSegment>(segments.Count);
        var batches = segments.Chunk(Math.Max(1, settings.BatchSize)).ToList();
        for (var b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            var sources = batch.Select(s => s.Text.Trim()).ToList();
            var texts = new string[batch.Length];
            // Empty lines need no model; they stay empty.
            var asked = Enumerable.Range(0, batch.Length).Where(i => sources[i].Length > 0).ToList();
            if (asked.Count > 0)
            {
                var answers = await TranslateLinesAsync([.. asked.Select(i => sources[i])], glossary, null, cancellationToken);
                for (var k = 0; k < asked.Count; k++) texts[asked[k]] = answers[k];
                await EnforceGlossaryAsync(batch, sources, texts, glossary, cancellationToken);
            }
            for (var i = 0; i < batch.Length; i++)
                result.Add(new TranslatedSegment(batch[i].Id, batch[i].Start, batch[i].End, texts[i] ?? "", sources[i]));
            logger.LogInformation("translated batch {Batch}/{Batches}: {Count} segments", b + 1, batches.Count, batch.Length);
        }
        return result;
    }

    /// <summary>Translations of <paramref name="lines"/>, in order, one each.</summary>
    private async Task<string[]> TranslateLinesAsync(List<string> lines, IReadOnlyList<GlossaryTerm> glossary, IReadOnlyList<IReadOnlyList<GlossaryTerm>>? required, CancellationToken cancellationToken)
    {
        var terms = glossary.Where(t => lines.Any(l => GlossaryRules.UsedIn(l, [t]).Count > 0)).ToList();
        var messages = TranslationPrompt.Build(lines, terms, settings.SourceLanguage, settings.TargetLanguage, required);
        var reply = await AskAsync(messages, cancellationToken);
        var parsed = TranslationPrompt.Parse(reply, lines.Count);
        if (parsed is not null) return parsed;

        Stats.LineCountRetries++;
        logger.LogWarning("the reply did not hold lines 1 to {Count}; asking again", lines.Count);
        messages = [.. messages, new("assistant", reply), new("user", $"That reply did not have exactly {lines.Count} lines numbered 1 to {lines.Count}. Reply again with exactly {lines.Count} numbered lines, one translation per source line, nothing else.")];
        parsed = TranslationPrompt.Parse(await AskAsync(messages, cancellationToken), lines.Count);
        if (parsed is not null) return parsed;

        if (lines.Count == 1)
            throw new Core.Stages.StageFailedException($"the model's reply to a single line held no usable translation (line: \"{lines[0]}\"); try another 'model'");
        Stats.LineByLineBatches++;
        warn($"the model did not keep the line count of a batch of {lines.Count} lines twice; translated them one by one (a smaller 'batch_size' avoids this)");
        var single = new string[lines.Count];
        for (var i = 0; i < lines.Count; i++)
            single[i] = (await TranslateLinesAsync([lines[i]], glossary, required is null ? null : [required[i]], cancellationToken))[0];
        return single;
    }

    private async Task EnforceGlossaryAsync(TranscriptSegment[] batch, List<string> sources, string[] texts, IReadOnlyList<GlossaryTerm> glossary, CancellationToken cancellationToken)
    {
        if (glossary.Count == 0) return;
        var violations = Enumerable.Range(0, batch.Length)
            .Select(i => (Index: i, Problems: texts[i] is null ? [] : GlossaryRules.Check(sources[i], texts[i], glossary)))
            .Where(v => v.Problems.Count > 0)
            .ToList();
        if (violations.Count == 0) return;
        Stats.GlossaryViolations += violations.Sum(v => v.Problems.Count);

        // Ask once more for the offending lines only, naming the terms each must contain.
        var again = await TranslateLinesAsync(
            [.. violations.Select(v => sources[v.Index])], glossary,
            [.. violations.Select(v => (IReadOnlyList<GlossaryTerm>)[.. v.Problems.Select(p => p.Term)])], cancellationToken);

        for (var k = 0; k < violations.Count; k++)
        {
            var (index, problems) = violations[k];
            var candidate = again[k];
            var remaining = GlossaryRules.Check(sources[index], candidate, glossary);
            // The second answer is taken when it breaks fewer rules; otherwise the first stays.
            if (remaining.Count >= problems.Count)
            {
                candidate = texts[index];
                remaining = problems;
            }
            foreach (var problem in problems.Where(p => !remaining.Any(r => r.Term == p.Term)))
            {
                Stats.FixedByAskingAgain++;
                warn($"segment {batch[index].Id}: the translation left out glossary term \"{problem.Expected}\"; fixed by asking again");
            }
            foreach (var problem in remaining)
            {
                var fixedText = problem.Term.Translation is null ? GlossaryRules.Substitute(candidate, problem.Term.Term) : null;
                if (fixedText is not null)
                {
                    candidate = fixedText;
                    Stats.FixedBySubstitution++;
                    warn($"segment {batch[index].Id}: the translation left out glossary term \"{problem.Expected}\"; fixed by substitution");
                }
                else
                {
                    Stats.Unfixed++;
                    warn($"segment {batch[index].Id}: the translation left out glossary term \"{problem.Expected}\" even when asked again; kept the model's text: \"{candidate}\"");
                }
            }
            texts[index] = candidate;
        }
    }

    private async Task<string> AskAsync(List<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var reply = await client.CompleteAsync(settings.Model, messages, settings.Temperature, cancellationToken);
        Stats.Requests++;
        if (reply.Usage is { } usage)
        {
            Stats.PromptTokens += usage.PromptTokens;
            Stats.CompletionTokens += usage.CompletionTokens;
            Stats.TotalTokens += usage.TotalTokens;
        }
        else
        {
            Stats.RequestsWithoutUsage++;
        }
        logger.LogDebug("request {Number}: {Tokens} tokens; reply:\n{Reply}", Stats.Requests, reply.Usage?.TotalTokens, reply.Content);
        return reply.Content;
    }
}
