using Waybill.Core.Hashing;
using Waybill.Core.IO;
using Waybill.Core.Manifests;

namespace Waybill.Core.Jobs;

/// <summary>
/// The job manifest cannot hold its own checksum, so <c>.waybill/manifest.checksum</c> does: written just before the
/// manifest, with the checksum of the new manifest on its first line and of the one it replaces on the second, so a
/// run killed between the two writes leaves a pair that still agrees. Every writer of the job manifest goes through here.
/// </summary>
public static class JobManifestSeal
{
    /// <summary>4 KiB: the file holds two checksums of at most 71 characters ("sha256:" and 64 hex digits) and their newlines.</summary>
    internal const int ChecksumFileMaxBytes = 4 << 10;

    public static void Write(JobLayout layout, JobManifest job, ChecksumAlgorithm algorithm) => Write(layout, job, algorithm, new(4096));

    /// <summary>The same, serialized into <paramref name="buffer"/>: a writer that writes often keeps one for all its writes.</summary>
    public static void Write(JobLayout layout, JobManifest job, ChecksumAlgorithm algorithm, System.Buffers.ArrayBufferWriter<byte> buffer)
    {
        var bytes = ManifestJson.Serialize(job, buffer);
        var checksum = ContentHash.Of(algorithm, bytes);
        string? previous;
        try
        {
            previous = Recorded(layout) is [var first, ..] ? first : null;
        }
        catch (FileLimitException)
        {
            // Not a file Waybill wrote: replaced whole below, with no pair to keep.
            previous = null;
        }
        AtomicFile.WriteAllText(layout.JobManifestChecksumPath,
            previous is null || previous == checksum ? checksum + "\n" : $"{checksum}\n{previous}\n");
        AtomicFile.WriteAllBytes(layout.JobManifestPath, bytes);
    }

    /// <summary>
    /// Writes the job manifest whole outside a run (exec-stage, clean), from a manifest read with the journal replayed
    /// (<see cref="JobJournalFile.ReadJob"/>): the journal's lines are in it now, and are deleted.
    /// </summary>
    public static void WriteWhole(JobLayout layout, JobManifest job, ChecksumAlgorithm algorithm)
    {
        Write(layout, job, algorithm);
        JobJournalFile.Delete(layout);
    }

    /// <summary>
    /// How manifest.json differs from what was recorded ("its checksum is …, recorded …"), or null when it matches or
    /// nothing was recorded (a job written by an older Waybill).
    /// </summary>
    public static string? Changed(JobLayout layout)
    {
        var recorded = Recorded(layout);
        if (recorded.Count == 0 || !File.Exists(layout.JobManifestPath)) return null;
        // Within the manifest bound: hashing a manifest.json linked to /dev/zero would never end.
        var actual = ContentHash.Of(Integrity.RecordedChecksum.AlgorithmOf(recorded[0]), ManifestLimits.ReadBytes(layout.JobManifestPath));
        return recorded.Any(r => string.Equals(r, actual, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"its checksum is {actual}, {layout.JobManifestChecksumPath} recorded {recorded[0]}";
    }

    /// <summary>The checksums manifest.json may have: the one last written first. Empty when none was recorded (an older Waybill).</summary>
    /// <exception cref="FileLimitException">
    /// The file is larger than <see cref="ChecksumFileMaxBytes"/>: not passed over as "none recorded", which would let an edited
    /// manifest.json through unchecked.
    /// </exception>
    public static IReadOnlyList<string> Recorded(JobLayout layout)
    {
        try
        {
            return File.Exists(layout.JobManifestChecksumPath)
                ? [.. BoundedFileRead.ReadAllText(layout.JobManifestChecksumPath, ChecksumFileMaxBytes, "job manifest checksum file",
                        $"restore it, or run 'waybill verify {layout.JobId}' and then the pipeline again to write it anew")
                    .Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)]
                : [];
        }
        catch (Exception e) when (e is (IOException and not FileLimitException) or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
