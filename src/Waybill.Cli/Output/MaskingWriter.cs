using System.Text;

namespace Waybill.Cli.Output;

/// <summary>
/// A console stream that masks secrets (<see cref="ConsoleSecrets"/>) in everything written to it. Text is passed on a
/// whole line at a time, so a secret written in pieces is still found; a partial line goes out on Flush (a live bar).
/// </summary>
internal sealed class MaskingWriter(TextWriter inner) : TextWriter
{
    private readonly StringBuilder _pending = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _pending.Append(value);
            if (value == '\n') PassLines();
        }
    }

    public override void Write(string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        lock (_gate)
        {
            _pending.Append(value);
            if (value.Contains('\n', StringComparison.Ordinal)) PassLines();
        }
    }

    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    public override void WriteLine(string? value)
    {
        lock (_gate)
        {
            // A whole line with nothing before it (every log line, when piped) goes out as it is, not through the builder.
            if (_pending.Length == 0 && value is not null)
            {
                inner.Write(ConsoleSecrets.Redact(value + NewLine));
                return;
            }
            _pending.Append(value).Append(CoreNewLine);
            PassLines();
        }
    }

    public override void WriteLine() => WriteLine((string?)null);

    public override void Flush()
    {
        lock (_gate)
        {
            if (_pending.Length > 0) Pass(_pending.Length);
            inner.Flush();
        }
    }

    // In order and at once, as the synchronous calls: the base class would queue each write as a task of its own.
    public override Task WriteAsync(char value) => Done(() => Write(value));

    public override Task WriteAsync(string? value) => Done(() => Write(value));

    public override Task WriteAsync(char[] buffer, int index, int count) => Done(() => Write(buffer, index, count));

    public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        Done(() => Write(buffer.ToString()));

    public override Task WriteLineAsync(string? value) => Done(() => WriteLine(value));

    public override Task WriteLineAsync(char value) => Done(() => WriteLine(value));

    public override Task WriteLineAsync() => Done(WriteLine);

    public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default) =>
        Done(() => WriteLine(buffer.ToString()));

    public override Task FlushAsync() => Done(Flush);

    protected override void Dispose(bool disposing)
    {
        if (disposing) Flush();
        base.Dispose(disposing);
    }

    private static Task Done(Action write)
    {
        write();
        return Task.CompletedTask;
    }

    private void PassLines()
    {
        var text = _pending.ToString();
        var end = text.LastIndexOf('\n') + 1;
        if (end > 0) Pass(end);
    }

    private void Pass(int length)
    {
        inner.Write(ConsoleSecrets.Redact(_pending.ToString(0, length)));
        _pending.Remove(0, length);
    }
}
