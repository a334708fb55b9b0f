using System.Globalization;

namespace Waybill.Core.Pipeline.Limits;

/// <summary>
/// How much a pipeline file may ask of the loader: its size, its nesting, its aliases and the values they expand to.
/// Each limit is far above what a real pipeline needs (the subtitle pipeline is 5.9 KB, 5 levels deep, no aliases) and far
/// below what hurts (a 442-byte file of nested aliases expands to a billion values). Raised with environment variables.
/// </summary>
public sealed record PipelineLimits
{
    public const string BytesVariable = "WAYBILL_MAX_PIPELINE_BYTES";
    public const string DepthVariable = "WAYBILL_MAX_PIPELINE_DEPTH";
    public const string AliasesVariable = "WAYBILL_MAX_PIPELINE_ALIASES";
    public const string NodesVariable = "WAYBILL_MAX_PIPELINE_NODES";
    public const string ItemsVariable = "WAYBILL_MAX_ITEMS";
    public const string ListBytesVariable = "WAYBILL_MAX_LIST_BYTES";

    /// <summary>
    /// Bytes of one item's value: it travels in WAYBILL_ITEM_VALUE and on command lines, and Linux refuses a single
    /// argument or variable over 128 KiB (MAX_ARG_STRLEN).
    /// </summary>
    public const int MaxItemValueBytes = 64 * 1024;

    /// <summary>
    /// Manifests are JSON, which System.Text.Json reads and writes at most 64 levels deep; a manifest holds config about
    /// 4 levels down, so config deeper than this could never be recorded. The depth limit cannot be raised past it.
    /// </summary>
    public const int DepthCeiling = 56;

    public static readonly PipelineLimits Default = new();

    /// <summary>Bytes of the pipeline file.</summary>
    public long MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Levels of mappings and lists, counted from the top of the file (a stage's config is level 4).</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>Uses of aliases (<c>*name</c>) in the whole file.</summary>
    public int MaxAliases { get; init; } = 1000;

    /// <summary>Values (scalars, mappings, lists; entries of env, inputs, outputs…) the file may hold once its aliases are expanded.</summary>
    public int MaxNodes { get; init; } = 100_000;

    /// <summary>
    /// Items of one fan-out (files, values, lines or array elements). A job's stage runs are counted in it: 200,000 items of
    /// a chain of stages is well past the 100,000 stage runs measured in docs/performance.md.
    /// </summary>
    public int MaxItems { get; init; } = 200_000;

    /// <summary>Bytes of the upstream file a dynamic fan-out reads its items from (lines or a JSON array).</summary>
    public long MaxListBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>The defaults, with any limit raised (or lowered) by its environment variable.</summary>
    public static PipelineLimits FromEnvironment() => new()
    {
        MaxBytes = Read(BytesVariable, Default.MaxBytes, 1, long.MaxValue),
        MaxDepth = (int)Read(DepthVariable, Default.MaxDepth, 1, DepthCeiling),
        MaxAliases = (int)Read(AliasesVariable, Default.MaxAliases, 0, int.MaxValue),
        MaxNodes = (int)Read(NodesVariable, Default.MaxNodes, 1, int.MaxValue),
        MaxItems = (int)Read(ItemsVariable, Default.MaxItems, 1, int.MaxValue),
        MaxListBytes = Read(ListBytesVariable, Default.MaxListBytes, 1, long.MaxValue),
    };

    /// <summary>The hint of a limit error: what to change in the file, or how to raise the limit.</summary>
    public static string RaiseHint(string variable, string advice, long? ceiling = null) =>
        $"{advice}, or raise the limit with the environment variable {variable}{(ceiling is null ? "" : $" (up to {ceiling})")}; "
        + "see Limits in docs/stage-authoring.md";

    private static long Read(string variable, long fallback, long min, long max)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        throw new PipelineInvalidException(new PipelineError($"{variable}='{text}' is not a whole number from {min} to {max}", Field: variable,
            Hint: $"unset it for the default ({fallback}) or give a number in range"));
    }
}
