using System.Text.Json;
using Waybill.Core.Pipeline.Limits;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// The items of <c>foreach: { lines: … }</c> (each non-empty line) and <c>foreach: { json: … }</c> (each element of a JSON
/// array: a string is its own key; an object's <c>key</c> field names it), read from the upstream output once it exists.
/// </summary>
public static class DynamicItems
{
    /// <summary>The items, or why the file gives none (not there, not an array, over the item limit: with the number).</summary>
    public static (List<FanOutItem> Items, string? Problem) Read(string path, ForeachSpec spec, PipelineLimits limits)
    {
        var what = $"{spec.FromStage}.{spec.FromOutput} ({path})";
        if (!File.Exists(path)) return ([], $"{what} does not exist: its stage did not produce it");
        if (new FileInfo(path).Length is var bytes && bytes > limits.MaxListBytes)
            return ([], $"{what} is {bytes:N0} bytes, more than the limit of {limits.MaxListBytes:N0}; "
                + PipelineLimits.RaiseHint(PipelineLimits.ListBytesVariable, "split the list"));
        List<ItemList.Raw> raw;
        try
        {
            (raw, var count) = spec.Kind == ForeachKind.Lines ? Lines(path, limits) : Elements(path, limits);
            if (count > limits.MaxItems)
                return ([], $"{what} lists {count:N0} items, more than the limit of {limits.MaxItems:N0}; "
                    + PipelineLimits.RaiseHint(PipelineLimits.ItemsVariable, "split the list"));
        }
        catch (JsonException e)
        {
            return ([], $"{what} is not valid JSON: {e.Message}");
        }
        catch (IO.FileLimitException e) when (e.Line is { } line)
        {
            return ([], $"{what}: line {line:N0} is more than {PipelineLimits.MaxItemValueBytes:N0} bytes: an item's value travels in the "
                + "environment and on command lines; list a path to a file that holds it instead");
        }
        catch (IO.FileLimitException)
        {
            // A link to /dev/zero or a file that grew after its length was read.
            return ([], $"{what} is more than the limit of {limits.MaxListBytes:N0} bytes; "
                + PipelineLimits.RaiseHint(PipelineLimits.ListBytesVariable, "split the list"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ([], $"cannot read {what}: {e.Message}");
        }
        if (raw is null) return ([], $"{what} does not hold a JSON array");
        if (raw.FindIndex(r => System.Text.Encoding.UTF8.GetByteCount(r.Value) > PipelineLimits.MaxItemValueBytes) is var big and >= 0)
            return ([], $"{what}: item {big + 1} is {System.Text.Encoding.UTF8.GetByteCount(raw[big].Value):N0} bytes, more than "
                + $"{PipelineLimits.MaxItemValueBytes:N0}: an item's value travels in the environment and on command lines; "
                + "list a path to a file that holds it instead");
        if (raw.Count == 0 && !spec.AllowEmpty) return ([], $"{what} lists no items (add 'allow_empty: true' to the foreach to allow it)");
        var (items, problem, hint) = ItemList.Key(raw, what, limits);
        return (items, problem is null ? null : $"{problem}; {hint}");
    }

    /// <summary>
    /// Non-empty lines; past the limit only counted, so the error can give the number. Read a line at a time, and none
    /// longer than an item's value may be: a file of gigabytes with no newline is refused, not read into one string.
    /// </summary>
    private static (List<ItemList.Raw>, long) Lines(string path, PipelineLimits limits)
    {
        var raw = new List<ItemList.Raw>();
        long count = 0;
        foreach (var line in IO.BoundedFileRead.ReadLines(path, limits.MaxListBytes, PipelineLimits.MaxItemValueBytes, "list of items", ""))
        {
            var text = line.TrimEnd('\r');
            if (text.Trim().Length == 0) continue;
            if (++count <= limits.MaxItems) raw.Add(new ItemList.Raw(text, text, null));
        }
        return (raw, count);
    }

    private static (List<ItemList.Raw>, long) Elements(string path, PipelineLimits limits)
    {
        var limit = limits.MaxItems;
        // JsonDocument reads the stream to its end before it parses: bounded, so a link to /dev/zero stops at the limit.
        using var stream = IO.BoundedFileRead.OpenBounded(path, limits.MaxListBytes, "list of items", "");
        using var document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 64 });
        if (document.RootElement.ValueKind != JsonValueKind.Array) return (null!, 0);
        var count = document.RootElement.GetArrayLength();
        if (count > limit) return ([], count);
        var raw = new List<ItemList.Raw>(count);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            var text = element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();
            var key = element.ValueKind switch
            {
                JsonValueKind.String => text,
                JsonValueKind.Object when element.TryGetProperty("key", out var k) && k.ValueKind == JsonValueKind.String => k.GetString()!,
                JsonValueKind.Object or JsonValueKind.Array => "",
                _ => text,
            };
            raw.Add(new ItemList.Raw(key, text, null));
        }
        return (raw, count);
    }
}
