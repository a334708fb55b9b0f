using Waybill.Core.Pipeline.Limits;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// Gives raw items (a file, a value, a line) their keys, in order: the same source gives the same keys, so a rerun finds
/// each item's folder again. Two items whose keys collide, or more items than the limit, are refused with what to do.
/// </summary>
public static class ItemList
{
    public sealed record Raw(string KeySource, string Value, string? Path);

    /// <summary>The keyed items, or the problem that stops the fan-out (named after <paramref name="what"/>).</summary>
    public static (List<FanOutItem> Items, string? Problem, string? Hint) Key(IReadOnlyList<Raw> raw, string what, PipelineLimits limits)
    {
        if (raw.Count > limits.MaxItems)
            return ([], $"{what} gives {raw.Count:N0} items, more than the limit of {limits.MaxItems:N0}",
                PipelineLimits.RaiseHint(PipelineLimits.ItemsVariable, "split the list"));
        var items = new List<FanOutItem>(raw.Count);
        var seen = new Dictionary<string, string>(raw.Count, StringComparer.Ordinal);
        for (var i = 0; i < raw.Count; i++)
        {
            // A C string ends at NUL: the item's value could reach neither WAYBILL_ITEM_VALUE nor a command intact.
            if (raw[i].Value.Contains('\0', StringComparison.Ordinal))
                return ([], $"{what}: item {i + 1} ('{Printable(raw[i].KeySource)}') holds a NUL byte, which no command line or "
                    + "environment variable can carry", "remove the NUL byte from the list");
            var key = ItemKeys.FromText(raw[i].KeySource);
            if (key.Length == 0) key = "item-" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            // An item's folder sits beside the fan-out's own manifest.json and stage.log: it may not take their names.
            if (StageFolderNames.Reserved.Contains(key, StringComparer.OrdinalIgnoreCase)) key = "item-" + key;
            if (seen.TryGetValue(key, out var first))
                return ([], $"{what}: items '{Printable(first)}' and '{Printable(raw[i].KeySource)}' both get the key '{key}'",
                    "keys keep letters, digits, '.', '_' and '-' in lower case; rename one of them so their keys differ");
            seen[key] = raw[i].KeySource;
            items.Add(new FanOutItem(key, raw[i].Value, raw[i].Path));
        }
        return (items, null, null);
    }

    /// <summary>A name as it can be shown on one line: control characters (a newline in a file name) escaped.</summary>
    public static string Printable(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
