using System.Buffers;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Waybill.Cli.Viewer;

/// <summary>
/// A log file read lazily: line starts are found only as far as something asks for (the first screen of a
/// 1,000,000-line log needs its first few kilobytes), in blocks, with a vectorized search for newlines; the file may
/// grow while it is open (a running job) and is then indexed further on the next call.
/// </summary>
internal sealed class LogFile : IDisposable
{
    // 1 MiB blocks: indexing a 150 MB, 1,000,000-line log takes about 0.1 s with them (see docs/performance.md).
    private const int BlockSize = 1 << 20;
    // A line longer than this is shown cut: the viewer never shows more than a screen's width of it.
    private const int MaxLineBytes = 64 * 1024;

    private readonly SafeFileHandle _handle;
    private readonly List<long> _starts = [0];
    private readonly byte[] _block = new byte[BlockSize];
    private long _blockAt = -1;
    private int _blockLength;
    private long _scanned;
    private long _length;

    public LogFile(string path)
    {
        Path = path;
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        _length = RandomAccess.GetLength(_handle);
    }

    public string Path { get; }

    /// <summary>Whether every line start up to the end of the file (as last measured) is known.</summary>
    public bool FullyIndexed => _scanned >= _length;

    /// <summary>The lines known so far: every complete line found, and a last line without its newline once the end is reached.</summary>
    public int KnownLines => _starts.Count - 1 + (FullyIndexed && _starts[^1] < _length ? 1 : 0);

    /// <summary>Looks at the file's length again; true when it grew (or was cut, which starts the index over).</summary>
    public bool Refresh()
    {
        var length = RandomAccess.GetLength(_handle);
        if (length == _length) return false;
        if (length < _length)
        {
            _starts.Clear();
            _starts.Add(0);
            _scanned = 0;
        }
        _length = length;
        _blockAt = -1;
        return true;
    }

    /// <summary>Indexes until line <paramref name="line"/> is known or the file ends; true when it exists.</summary>
    public bool Has(int line)
    {
        while (KnownLines <= line && !FullyIndexed) IndexBlock();
        return line < KnownLines;
    }

    /// <summary>Indexes the whole file (the end of the log, a line count).</summary>
    public int CountAll()
    {
        while (!FullyIndexed) IndexBlock();
        return KnownLines;
    }

    /// <summary>The byte offset line <paramref name="line"/> starts at (the line must be known).</summary>
    public long StartOf(int line) => _starts[line];

    /// <summary>The line holding byte <paramref name="offset"/>, indexing as far as needed.</summary>
    public int LineAt(long offset)
    {
        while (_scanned <= offset && !FullyIndexed) IndexBlock();
        var index = _starts.BinarySearch(offset);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>Line <paramref name="line"/> (known) without its newline, decoded; very long lines are cut.</summary>
    public string Line(int line)
    {
        var start = _starts[line];
        var end = line + 1 < _starts.Count ? _starts[line + 1] - 1 : _length;
        var length = (int)Math.Min(end - start, MaxLineBytes);
        var bytes = Bytes(start, length);
        if (bytes.Length > 0 && bytes[^1] == '\r') bytes = bytes[..^1];
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>
    /// The first line at or after <paramref name="fromLine"/> holding any of <paramref name="values"/>, or -1 at the end of
    /// the file. Reads forward in blocks cut at a newline, decodes each and searches it with one vectorized scan;
    /// <paramref name="keepGoing"/> is asked between blocks (a key press stops the search).
    /// </summary>
    public int Find(SearchValues<string> values, int fromLine, Func<int, bool> keepGoing)
    {
        if (!Has(fromLine)) return -1;
        var at = _starts[fromLine];
        var buffer = new byte[BlockSize];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(BlockSize)];
        while (at < _length)
        {
            var read = RandomAccess.Read(_handle, buffer, at);
            if (read <= 0) break;
            var usable = read;
            if (at + read < _length && buffer.AsSpan(0, read).LastIndexOf((byte)'\n') is >= 0 and var lastNewline) usable = lastNewline + 1;
            var count = Encoding.UTF8.GetChars(buffer, 0, usable, chars, 0);
            var hit = chars.AsSpan(0, count).IndexOfAny(values);
            if (hit >= 0) return LineAt(at + Encoding.UTF8.GetByteCount(chars.AsSpan(0, hit)));
            at += usable;
            if (!keepGoing(LineAt(at - 1))) return -1;
        }
        return -1;
    }

    public void Dispose() => _handle.Dispose();

    private void IndexBlock()
    {
        var read = RandomAccess.Read(_handle, _block, _scanned);
        _blockAt = -1;
        if (read <= 0)
        {
            _scanned = _length;
            return;
        }
        var span = _block.AsSpan(0, read);
        var offset = 0;
        while (span[offset..].IndexOf((byte)'\n') is >= 0 and var next)
        {
            offset += next + 1;
            _starts.Add(_scanned + offset);
        }
        _scanned += read;
        if (_scanned > _length) _length = _scanned;
    }

    private ReadOnlySpan<byte> Bytes(long start, int length)
    {
        if (_blockAt < 0 || start < _blockAt || start + length > _blockAt + _blockLength)
        {
            _blockAt = start;
            _blockLength = RandomAccess.Read(_handle, _block, start);
        }
        var from = (int)(start - _blockAt);
        return _block.AsSpan(from, Math.Min(length, _blockLength - from));
    }
}
