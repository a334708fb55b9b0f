using System.Buffers;
using Waybill.Core.Hashing;

namespace Waybill.Media.Models.Fetching;

/// <summary>
/// A download in progress, kept in the model folder's hidden <c>.partial/</c> folder (never where a model is looked for):
/// bytes are appended and hashed as they arrive, and a later fetch continues from its end. Only a file of the pinned size
/// and checksum is renamed into place.
/// </summary>
internal sealed class PartialFile : IDisposable
{
    private readonly FileStream _stream;
    private ContentHash _hash = new(ChecksumAlgorithm.Sha256);

    private PartialFile(string path, long expected, FileStream stream)
    {
        Path = path;
        Expected = expected;
        _stream = stream;
    }

    public string Path { get; }

    public long Expected { get; }

    public long Length => _stream.Length;

    /// <summary>Opens (or creates) the partial file and hashes what an earlier download left in it.</summary>
    public static PartialFile Open(string path, long expected)
    {
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        var partial = new PartialFile(path, expected, stream);
        try
        {
            if (stream.Length > expected) partial.Restart();
            else partial.HashExisting();
            return partial;
        }
        catch
        {
            partial.Dispose();
            throw;
        }
    }

    /// <summary>Starts over from an empty file (the source sent the whole file, or the old bytes cannot be trusted).</summary>
    public void Restart()
    {
        _stream.SetLength(0);
        _hash.Dispose();
        _hash = new ContentHash(ChecksumAlgorithm.Sha256);
    }

    /// <summary>Appends bytes; false (and nothing written) when they would make the file larger than the pinned size.</summary>
    public bool TryAppend(ReadOnlySpan<byte> bytes)
    {
        if (_stream.Length + bytes.Length > Expected) return false;
        _stream.Write(bytes);
        _hash.Append(bytes);
        return true;
    }

    /// <summary>Flushes to disk and returns the SHA-256 of everything written (64 hex digits).</summary>
    public string Finish()
    {
        _stream.Flush(flushToDisk: true);
        return ModelFileCheck.StripPrefix(_hash.Finish());
    }

    /// <summary>Renames the finished file to <paramref name="target"/> (same file system: one atomic rename).</summary>
    public void MoveTo(string target)
    {
        Dispose();
        File.Move(Path, target, overwrite: true);
    }

    public void Delete()
    {
        Dispose();
        File.Delete(Path);
    }

    public void Dispose()
    {
        _stream.Dispose();
        _hash.Dispose();
    }

    private void HashExisting()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            _stream.Position = 0;
            int read;
            while ((read = _stream.Read(buffer, 0, buffer.Length)) > 0) _hash.Append(buffer.AsSpan(0, read));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
