using System.Text;

namespace Waybill.Core.OpenLineage;

/// <summary>
/// <c>logs/openlineage.jsonl</c>: one event per line, appended across runs. Each line goes to the file in one write
/// and is flushed at once, so a killed run keeps every line written before it.
/// </summary>
internal sealed class OpenLineageFile : IDisposable
{
    public const string FileName = "openlineage.jsonl";

    private readonly FileStream _stream;

    public OpenLineageFile(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
        // A run killed in the middle of a write leaves a partial last line: start on a new line, so it stays the only bad one.
        if (_stream.Length > 0)
        {
            _stream.Seek(-1, SeekOrigin.End);
            var last = _stream.ReadByte();
            _stream.Seek(0, SeekOrigin.End);
            if (last != '\n') Write("\n");
        }
    }

    public void Append(string jsonLine) => Write(jsonLine + "\n");

    /// <summary>Whole lines, each ending in a newline, in one write: a killed run keeps all or none of them.</summary>
    public void Append(ReadOnlySpan<byte> lines)
    {
        _stream.Write(lines);
        _stream.Flush();
    }

    private void Write(string text) => Append(Encoding.UTF8.GetBytes(text));

    public void Dispose() => _stream.Dispose();
}
