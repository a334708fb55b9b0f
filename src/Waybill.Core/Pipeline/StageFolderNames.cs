namespace Waybill.Core.Pipeline;

/// <summary>
/// What the engine itself writes in a stage folder, so no declared output may take those names (JobLayout builds the
/// paths; a test keeps the two in step). Hidden names are all the engine's: <c>.cache/</c>, the temp files of atomic
/// writes (<c>.manifest.json.&lt;pid&gt;.&lt;n&gt;.tmp</c>), partial files of built-in stages.
/// </summary>
public static class StageFolderNames
{
    public const string Manifest = "manifest.json";
    public const string Log = "stage.log";
    public const string CacheFolder = ".cache";
    /// <summary>The stage run's resource samples over time (docs/observability.md).</summary>
    public const string Samples = "resource_samples.tsv";

    /// <summary>Names an output may not have at the top of its stage folder, compared ignoring case (some file systems do).</summary>
    public static IReadOnlyList<string> Reserved { get; } = [Manifest, Log, "events.jsonl", Samples];

    /// <summary>What the engine keeps under <paramref name="firstSegment"/>, or null when an output may use it.</summary>
    public static string? EngineUse(string firstSegment)
    {
        if (firstSegment.StartsWith('.'))
            return "hidden names in a stage folder are the engine's (its .cache folder and the temporary files of atomic writes)";
        if (Reserved.Contains(firstSegment, StringComparer.OrdinalIgnoreCase))
            return $"'{firstSegment}' is a file the engine writes for its own records";
        return null;
    }
}
