namespace Waybill.Core.Pipeline.FanOut;

/// <summary>A stage run as a command resolves it: its id (<c>06_asr[ep-01]</c>) and its stage's name (<c>asr</c>).</summary>
/// <param name="FansOut">A fan-out stage whose items are not known yet (a dynamic fan-out before its source ran).</param>
public readonly record struct StageRef(string Id, string Name, bool FansOut = false);

/// <summary>The stage runs an address stands for, or why it stands for none (<see cref="Problem"/>, with a <see cref="Hint"/>).</summary>
public sealed record StageAddressMatch(IReadOnlyList<string> Ids, string? Problem = null, string? Hint = null)
{
    /// <summary>The fan-out stage (<c>06_asr</c>) when the address named it plainly or as <c>06_asr[*]</c>: every item.</summary>
    public string? FanOut { get; init; }

    /// <summary>
    /// An item of a dynamic fan-out whose items are not known yet (a run planned before its source ran): the id is taken as
    /// typed, and matches if the run expands the fan-out into that item.
    /// </summary>
    public bool Deferred { get; init; }

    /// <summary>No stage has that id or name (as opposed to a known stage without that item).</summary>
    public bool UnknownStage { get; init; }
}

/// <summary>
/// What a user may type for a stage on the command line: <c>06_asr</c> or <c>asr</c>; an item as <c>06_asr[ep-01]</c> or
/// <c>asr[ep-01]</c>; and a fan-out stage's plain id or name (or <c>06_asr[*]</c>) for all its items, in key order, after
/// the stage's own run where it has one (a dynamic fan-out records there how it fanned out).
/// </summary>
public static class StageAddress
{
    private const int Shown = 8;

    public static StageAddressMatch Resolve(IReadOnlyList<StageRef> stages, string typed)
    {
        var key = "";
        var bracketed = TryAll(typed, out var stagePart) || ItemKeys.TrySplit(typed, out stagePart, out key);
        var wanted = bracketed ? stagePart : typed;
        var baseId = BaseOf(stages, wanted);
        if (baseId is null)
            return new([], $"no stage '{typed}'", $"stages: {List(stages.Select(s => Base(s.Id)).Distinct(StringComparer.Ordinal).ToList())}")
            {
                UnknownStage = true,
            };
        var items = stages.Where(s => s.Id.Length > baseId.Length && s.Id.StartsWith(baseId + "[", StringComparison.Ordinal))
            .Select(s => s.Id).Order(StringComparer.Ordinal).ToList();
        if (!bracketed || key.Length == 0)
        {
            // A dynamic fan-out's own run (it read the list) comes first, then its items.
            if (items.Count > 0) return new([.. stages.Where(s => s.Id == baseId).Select(s => s.Id), .. items]) { FanOut = baseId };
            return bracketed && stages.Any(s => s.Id == baseId && !s.FansOut)
                ? new([], $"{baseId} does not run per item, so '{typed}' names no item", $"address it as {baseId}")
                : new(stages.Any(s => s.Id == baseId) ? [baseId] : []) { FanOut = bracketed ? baseId : null };
        }
        var id = ItemKeys.RunId(baseId, key);
        if (items.Contains(id)) return new([id]);
        if (items.Count == 0 && stages.Any(s => s.Id == baseId && s.FansOut))
        {
            return ItemKeys.Problem(key) is { } notKey
                ? new([], notKey, "its items are known once the stage it fans out over has run")
                : new([id]) { Deferred = true, FanOut = baseId };
        }
        if (items.Count == 0) return new([], $"{baseId} does not run per item, so it has no item '{key}'", $"address it as {baseId}");
        var keys = items.Select(i => i[(baseId.Length + 1)..^1]).ToList();
        var problem = ItemKeys.Problem(key) is { } invalid ? invalid : $"{baseId} has no item '{key}'";
        return new([], problem, $"{baseId} has {keys.Count} item{(keys.Count == 1 ? "" : "s")}: {List(Closest(keys, key))}");
    }

    /// <summary><c>06_asr[*]</c>: all items of the fan-out.</summary>
    private static bool TryAll(string typed, out string stage)
    {
        stage = typed.EndsWith("[*]", StringComparison.Ordinal) ? typed[..^3] : typed;
        return stage.Length is > 0 && stage.Length < typed.Length;
    }

    /// <summary>The stage id (<c>06_asr</c>) an id or a name stands for, items or not.</summary>
    private static string? BaseOf(IReadOnlyList<StageRef> stages, string wanted)
    {
        string? byName = null;
        foreach (var stage in stages)
        {
            var id = Base(stage.Id);
            if (id == wanted) return id;
            if (byName is null && stage.Name == wanted) byName = id;
        }
        return byName;
    }

    private static string Base(string id) => ItemKeys.TrySplit(id, out var stage, out _) ? stage : id;

    /// <summary>Keys that start with or contain what was typed first, then the rest in order.</summary>
    private static List<string> Closest(List<string> keys, string typed) =>
        [.. keys.OrderBy(k => k.StartsWith(typed, StringComparison.Ordinal) || typed.StartsWith(k, StringComparison.Ordinal) ? 0
            : k.Contains(typed, StringComparison.Ordinal) || typed.Contains(k, StringComparison.Ordinal) ? 1 : 2)];

    private static string List(List<string> names) =>
        string.Join(", ", names.Take(Shown)) + (names.Count > Shown ? $", … ({names.Count - Shown} more)" : "");
}
