namespace Waybill.Media.Models.Fetching;

/// <summary>
/// How to fetch: from <paramref name="Mirror"/> (an http(s) URL or a folder that serves files by their name) instead of each
/// model's own source, and whether to fetch again a model that is already present and verified.
/// </summary>
public sealed record FetchOptions(string? Mirror = null, bool Force = false)
{
    public const string MirrorVariable = "WAYBILL_MODEL_MIRROR";
}
