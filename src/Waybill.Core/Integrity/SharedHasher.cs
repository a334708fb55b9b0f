using System.Collections.Concurrent;
using Waybill.Core.Hashing;

namespace Waybill.Core.Integrity;

/// <summary>
/// Hashes for one verify: each (file, algorithm) once, however many records name it — an external input read by
/// three stages is read once. Safe to call from several threads.
/// </summary>
internal sealed class SharedHasher
{
    private readonly ConcurrentDictionary<(string Path, ChecksumAlgorithm Algorithm, long Offset, long? Length), Lazy<HashOutcome>> _known = new();

    /// <summary>The whole file's checksum in the algorithm the recorded checksum names ("sha256:…" → SHA-256).</summary>
    public HashOutcome Hash(string path, string recordedChecksum) => Get(path, RecordedChecksum.AlgorithmOf(recordedChecksum), 0, null);

    /// <summary>The checksum of the file's first <paramref name="length"/> bytes: what a log was before lines were appended.</summary>
    public HashOutcome HashPrefix(string path, string recordedChecksum, long length) => HashRange(path, recordedChecksum, 0, length);

    /// <summary>The checksum of <paramref name="length"/> bytes from <paramref name="offset"/>: one run's part of a log.</summary>
    public HashOutcome HashRange(string path, string recordedChecksum, long offset, long length) =>
        Get(path, RecordedChecksum.AlgorithmOf(recordedChecksum), offset, length);

    private HashOutcome Get(string path, ChecksumAlgorithm algorithm, long offset, long? length) =>
        _known.GetOrAdd((path, algorithm, offset, length),
            key => new Lazy<HashOutcome>(() => Compute(key.Path, key.Algorithm, key.Offset, key.Length))).Value;

    private static HashOutcome Compute(string path, ChecksumAlgorithm algorithm, long offset, long? length)
    {
        try
        {
            var checksum = length is { } bytes ? RangeHasher.Compute(path, algorithm, offset, bytes) : FileHasher.Compute(path, algorithm);
            return new HashOutcome(checksum, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new HashOutcome(null, e.Message);
        }
    }
}
