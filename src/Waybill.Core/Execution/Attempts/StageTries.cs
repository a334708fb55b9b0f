using Microsoft.Extensions.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Attempts;

/// <summary>
/// A stage's tries: the first, then another after the policy's backoff, waited on the run's clock, for as long as a try
/// fails in a way <see cref="RetryRule"/> retries. The last try is the stage's result. With a policy every try is
/// recorded for the manifest's <c>tries</c> and its end gets a line in stage.log; a retry's line is a WARNING, so the
/// pipeline log and the console show it too.
/// </summary>
internal sealed class StageTries(RetryPolicy? policy, TimeProvider time, ILogger log)
{
    private readonly List<StageTry> _records = [];
    private readonly List<TryResult> _results = [];

    /// <summary>Every try made, in order.</summary>
    public IReadOnlyList<TryResult> Results => _results;

    /// <summary>Runs try 1, 2, … through <paramref name="once"/> and returns the last.</summary>
    public async Task<TryResult> RunAsync(Func<int, Task<TryResult>> once, CancellationToken cancellationToken)
    {
        var total = 1 + (policy?.Count ?? 0);
        TimeSpan? waited = null;
        for (var number = 1; ; number++)
        {
            var started = time.GetUtcNow();
            var clock = time.GetTimestamp();
            var result = await once(number);
            _results.Add(result);
            if (policy is null) return Recorded(result);
            _records.Add(new StageTry
            {
                Try = number,
                Status = result.Status.ToText(),
                ExitCode = result.Context.Manifest.ExitCode,
                Error = result.Status == StageStatus.Success || result.Reason is null ? null : result.Context.RedactText(result.Reason),
                StartedUtc = started,
                DurationSeconds = Math.Round(time.GetElapsedTime(clock).TotalSeconds, 3),
                WaitBeforeSeconds = waited is { } w ? Math.Round(w.TotalSeconds, 3) : null,
            });
            result.Context.Manifest.Tries = _records;
            if (result.Status == StageStatus.Success && number > 1) result.Context.AddWarning($"succeeded on attempt {number} of {total}");
            if (result.Status != StageStatus.Failed) return Recorded(result);
            var failure = OneLine(result.Context.RedactText(result.Reason ?? "failed"));
            if (RetryRule.WhyNot(policy, result, number) is { } whyNot)
            {
                // A warning, before the stage's error: a policy that was there and did not apply is worth seeing on the console.
                log.LogWarning("attempt {Try} of {Total} failed: {Reason}; not retried: {WhyNot}", number, total, failure, whyNot);
                return Recorded(result);
            }
            var delay = policy.DelayBefore(number);
            // The details of the failure (an exception's stack trace) stay in stage.log; the retry is the one line others see.
            if (result.Exception is { } exception) log.LogDebug(exception, "attempt {Try} of {Total} failed: {Error}", number, total, result.Error);
            log.LogWarning("attempt {Try} of {Total} failed: {Reason}; retrying in {Delay}", number, total, failure,
                Quantities.FormatDuration(delay));
            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Recorded(result);
                result.Context.AddWarning($"stage cancelled while waiting to retry (attempt {number + 1} of {total} never started)");
                return result with { Status = StageStatus.Cancelled, Reason = "cancelled" };
            }
            waited = delay;
        }
    }

    /// <summary>The try is the stage's result: its failure goes into the manifest's errors (and stage.log, and the pipeline log).</summary>
    private static TryResult Recorded(TryResult result)
    {
        if (result.Error is { } error) result.Context.AddError(error, result.Exception);
        return result;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
