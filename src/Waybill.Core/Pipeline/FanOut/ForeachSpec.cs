using System.Text.Json.Nodes;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>What a fan-out stage runs once for: files matching a glob, a list of values, or the items of an upstream output.</summary>
public enum ForeachKind
{
    /// <summary><c>foreach: { files: "videos/*.mkv" }</c>: one item per matching file, known when the pipeline is loaded.</summary>
    Files,
    /// <summary><c>foreach: { values: [en, de, fr] }</c>: one item per value, known when the pipeline is loaded.</summary>
    Values,
    /// <summary><c>foreach: { lines: 01_list.items }</c>: one item per non-empty line of an upstream output, known when it has run.</summary>
    Lines,
    /// <summary><c>foreach: { json: 01_list.items }</c>: one item per element of the JSON array an upstream output holds.</summary>
    Json,
}

/// <summary>A stage's <c>foreach:</c>. <see cref="IsDynamic"/> fan-outs learn their items from a stage of the same run.</summary>
public sealed record ForeachSpec(ForeachKind Kind, SourceLocation? Location)
{
    /// <summary>The glob of <see cref="ForeachKind.Files"/>, relative to the pipeline file's folder unless absolute.</summary>
    public string? Pattern { get; init; }
    /// <summary><c>files:</c> given as a list: each entry a file, or a glob when no file has that name; items in list order.</summary>
    public IReadOnlyList<string> Patterns { get; init; } = [];
    /// <summary>Every entry of <c>files:</c>, whichever form it was written in.</summary>
    public IReadOnlyList<string> FileEntries => Pattern is null ? Patterns : [Pattern];
    /// <summary>The values of <see cref="ForeachKind.Values"/>.</summary>
    public IReadOnlyList<JsonNode?> Values { get; init; } = [];
    /// <summary>The upstream stage and output whose lines or array elements are the items.</summary>
    public string? FromStage { get; init; }
    public string? FromOutput { get; init; }
    /// <summary>No items is an empty fan-out rather than an error.</summary>
    public bool AllowEmpty { get; init; }

    public bool IsDynamic => Kind is ForeachKind.Lines or ForeachKind.Json;

    public string Describe() => Kind switch
    {
        ForeachKind.Files => Pattern is null ? $"{Patterns.Count} files or globs" : $"files {Pattern}",
        ForeachKind.Values => Values.Count == 1 ? "a list of 1 value" : $"a list of {Values.Count} values",
        ForeachKind.Lines => $"lines of {FromStage}.{FromOutput}",
        _ => $"elements of {FromStage}.{FromOutput}",
    };
}

/// <summary>One item of a fan-out: its key (the stage run's <c>[key]</c> and folder), its value, and its file for <c>files:</c>.</summary>
public sealed record FanOutItem(string Key, string Value, string? Path)
{
    /// <summary>The names <c>{item.…}</c> may use.</summary>
    public static readonly string[] Fields = ["key", "value", "path"];

    /// <summary><c>{item.key}</c>, <c>{item.value}</c> or <c>{item.path}</c>; null for another name (or no file).</summary>
    public string? Field(string name) => name switch { "key" => Key, "value" => Value, "path" => Path, _ => null };
}
