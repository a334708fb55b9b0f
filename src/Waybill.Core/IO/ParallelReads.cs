using System.Runtime.ExceptionServices;

namespace Waybill.Core.IO;

/// <summary>
/// Reads many small files on every core, for commands that read a record per stage run (<c>waybill status</c> and
/// <c>catalog rebuild</c> of a job of 100,000 items read 100,000 manifests, parsing each: CPU, not waiting).
/// </summary>
internal static class ParallelReads
{
    /// <summary>
    /// <paramref name="read"/> of every item, in the items' order. Where reads fail, the failure of the first such item is
    /// thrown as it was thrown (not wrapped), as a loop over the items would have thrown it.
    /// </summary>
    public static List<TOut> Select<TIn, TOut>(IReadOnlyList<TIn> items, Func<TIn, TOut> read)
    {
        var results = new TOut[items.Count];
        var failures = new ExceptionDispatchInfo?[items.Count];
        Parallel.For(0, items.Count, i =>
        {
            try
            {
                results[i] = read(items[i]);
            }
#pragma warning disable CA1031 // Kept and thrown below, in the items' order.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures[i] = ExceptionDispatchInfo.Capture(e);
            }
        });
        foreach (var failure in failures) failure?.Throw();
        return [.. results];
    }
}
