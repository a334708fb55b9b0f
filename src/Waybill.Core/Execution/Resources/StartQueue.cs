using Waybill.Core.Pipeline.Controls;

namespace Waybill.Core.Execution.Resources;

/// <summary>
/// Picks the next stage to start: the first ready one in plan order whose threads, memory and GPUs fit in what is free.
/// A stage that does not fit yet waits at the head; later stages that fit may start before it, but only
/// <c>overtakeLimit</c> of them (the scheduler passes <c>--jobs</c>) while it waits. After that nothing more starts until
/// it does, so running stages drain and make room for it: a large stage is never starved by a stream of small ones.
/// </summary>
internal sealed class StartQueue(PendingStages pending, ResourcePool pool, Func<string, StageControls> controlsOf, int overtakeLimit)
{
    /// <summary>How many ready stages are looked at past the head, so a long ready list costs no more than this per start.</summary>
    private const int Window = 64;

    private string? _waiting;
    private int _overtaken;

    /// <summary>The stage that waits at the head for room, and how many later stages have started since.</summary>
    public (string? StageId, int Overtaken) Waiting => (_waiting, _overtaken);

    public bool TryTake(out string stageId, out ResourceGrant grant)
    {
        stageId = "";
        grant = null!;
        if (!pool.AnyCoreFree) return false;
        // The first ready stage nearly always fits: taken without a walk of the ready set, whose enumerator is made anew each
        // time (100,000 no-op items: 3.8% of the scheduler's thread went to the walks).
        if (pending.FirstReady is { } first && pool.TryTake(controlsOf(first)) is { } fitting)
        {
            pending.Take(first);
            (stageId, grant) = (first, fitting);
            return true;
        }
        string? head = null;
        string? chosen = null;
        var looked = 0;
        foreach (var id in pending.Ready)
        {
            if (pool.TryTake(controlsOf(id)) is { } fits)
            {
                (chosen, grant) = (id, fits);
                break;
            }
            if (head is null)
            {
                head = id;
                if (_waiting != head) (_waiting, _overtaken) = (head, 0);
                if (_overtaken >= overtakeLimit) return false;
            }
            if (++looked > Window) return false;
        }
        if (chosen is null) return false;
        if (head is not null) _overtaken++;
        pending.Take(chosen);
        stageId = chosen;
        return true;
    }
}
