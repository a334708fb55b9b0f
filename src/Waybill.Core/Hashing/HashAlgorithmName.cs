namespace Waybill.Core.Hashing;

/// <summary>Checksum algorithms a pipeline may choose; the prefix is written before the hex digest ("xxh128:…").</summary>
public enum ChecksumAlgorithm
{
    XxHash128,
    Sha256,
}

public static class ChecksumAlgorithmNames
{
    public static string Prefix(this ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Sha256 => "sha256",
        _ => "xxh128",
    };

    public static bool TryParse(string? text, out ChecksumAlgorithm algorithm)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "xxh128" or "xxhash128":
                algorithm = ChecksumAlgorithm.XxHash128;
                return true;
            case "sha256" or "sha-256":
                algorithm = ChecksumAlgorithm.Sha256;
                return true;
            default:
                algorithm = default;
                return false;
        }
    }
}
