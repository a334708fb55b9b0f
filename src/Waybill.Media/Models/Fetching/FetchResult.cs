namespace Waybill.Media.Models.Fetching;

public enum FetchOutcome
{
    /// <summary>The model was already in the model folder and its checksum matched: nothing was downloaded.</summary>
    AlreadyPresent,
    Downloaded,
    /// <summary>The download continued a partial file left by an earlier, broken one.</summary>
    Resumed,
}

/// <summary>What a fetch did: the installed file, how, from where, and how many bytes it transferred.</summary>
public sealed record FetchResult(KnownModel Model, string Path, FetchOutcome Outcome, string From, long BytesTransferred);
