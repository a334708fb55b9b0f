using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Waybill.Core.IO;

namespace Waybill.Core.Hashing;

/// <summary>One remembered checksum as the stat-cache file stores it.</summary>
internal readonly record struct StatCacheRecord(string Path, FileStamp Stamp, ChecksumAlgorithm Algorithm, byte[] Digest, long RecordedAtNs, long LastUsedNs);

/// <summary>
/// The binary file behind <c>.waybill/stat-cache</c>: a magic line, a version, the records, and an XxHash64 of all
/// of it last, so a truncated or damaged file is recognised and read as empty instead of trusted.
/// </summary>
internal static class StatCacheFile
{
    public const int Version = 1;
    private static readonly byte[] s_magic = Encoding.ASCII.GetBytes("waybill-stat-cache\n");
    private const int TrailerSize = sizeof(ulong);

    /// <summary>
    /// 256 MiB: a record is its path and 74 to 90 bytes (stamp, times, algorithm, digest); the file keeps at most 200,000
    /// (ChecksumCache.DefaultMaxEntries), 30 MB with paths of 60 bytes, and this bound still holds them with paths of 1.2 KB.
    /// </summary>
    internal const int MaxBytes = 256 << 20;

    /// <summary>Every record of the file; empty when it is missing, unreadable, damaged or of another version.</summary>
    public static List<StatCacheRecord> Read(string path)
    {
        byte[] bytes;
        try
        {
            // Too large to be one Waybill wrote (a link to /dev/zero, say): damaged, so empty, and the files are hashed again.
            if (!BoundedFileRead.TryReadAllBytes(path, MaxBytes, out bytes)) return [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
        try
        {
            return Parse(bytes);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException or InvalidDataException)
        {
            return [];
        }
    }

    public static void Write(string path, IReadOnlyCollection<StatCacheRecord> records)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(s_magic);
            writer.Write(Version);
            writer.Write(records.Count);
            foreach (var record in records)
            {
                writer.Write(record.Path);
                writer.Write(record.Stamp.Size);
                writer.Write(record.Stamp.MtimeNs);
                writer.Write(record.Stamp.CtimeNs);
                writer.Write(record.Stamp.Inode);
                writer.Write(record.Stamp.Device);
                writer.Write(record.RecordedAtNs);
                writer.Write(record.LastUsedNs);
                writer.Write(Code(record.Algorithm));
                writer.Write((byte)record.Digest.Length);
                writer.Write(record.Digest);
            }
        }
        var content = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        var file = new byte[content.Length + TrailerSize];
        content.CopyTo(file);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(content.Length), XxHash64.HashToUInt64(content));
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        AtomicFile.WriteAllBytes(path, file);
    }

    private static List<StatCacheRecord> Parse(byte[] bytes)
    {
        if (bytes.Length < s_magic.Length + (2 * sizeof(int)) + TrailerSize || !bytes.AsSpan(0, s_magic.Length).SequenceEqual(s_magic)) return [];
        var content = bytes.AsSpan(0, bytes.Length - TrailerSize);
        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(content.Length)) != XxHash64.HashToUInt64(content)) return [];
        using var reader = new BinaryReader(new MemoryStream(bytes, 0, content.Length, writable: false), Encoding.UTF8);
        reader.ReadBytes(s_magic.Length);
        if (reader.ReadInt32() != Version) return [];
        var count = reader.ReadInt32();
        if (count < 0) return [];
        var records = new List<StatCacheRecord>(Math.Min(count, 1 << 20));
        for (var i = 0; i < count; i++)
        {
            var path = reader.ReadString();
            var stamp = new FileStamp(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadUInt64(), reader.ReadUInt64());
            var recordedAt = reader.ReadInt64();
            var lastUsed = reader.ReadInt64();
            var code = reader.ReadByte();
            var digest = reader.ReadBytes(reader.ReadByte());
            if (AlgorithmOf(code) is not { } algorithm) continue;
            records.Add(new StatCacheRecord(path, stamp, algorithm, digest, recordedAt, lastUsed));
        }
        return records;
    }

    // Fixed codes, so that reordering the enum never makes one algorithm's digests pass for another's.
    private static byte Code(ChecksumAlgorithm algorithm) => algorithm == ChecksumAlgorithm.Sha256 ? (byte)2 : (byte)1;

    private static ChecksumAlgorithm? AlgorithmOf(byte code) => code switch
    {
        1 => ChecksumAlgorithm.XxHash128,
        2 => ChecksumAlgorithm.Sha256,
        _ => null,
    };
}
