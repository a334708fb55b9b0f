using Waybill.Core.Hashing;

namespace Waybill.Core.Integrity;

/// <summary>A recorded checksum ("sha256:…") is checked again with the algorithm it names, whatever the pipeline uses now.</summary>
public static class RecordedChecksum
{
    /// <summary>The algorithm a checksum's prefix names; an unknown prefix reads as the default, so the mismatch is reported, not thrown.</summary>
    public static ChecksumAlgorithm AlgorithmOf(string checksum)
    {
        var colon = checksum.IndexOf(':', StringComparison.Ordinal);
        return ChecksumAlgorithmNames.TryParse(colon > 0 ? checksum[..colon] : null, out var algorithm) ? algorithm : ChecksumAlgorithm.XxHash128;
    }
}
