using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Waybill.Cli.Viewer;

/// <summary>
/// Reads the terminal's bytes on a thread of its own and hands them on as keys; a window resize (SIGWINCH) arrives as
/// a key too, so the viewer redraws at once.
/// </summary>
internal sealed class KeyReader : IDisposable
{
    private readonly Channel<ViewerKey> _keys = Channel.CreateUnbounded<ViewerKey>();
    private readonly PosixSignalRegistration? _resize;
    private Task<bool>? _waiting;

    public KeyReader(Stream input)
    {
        var thread = new Thread(() => Pump(input)) { IsBackground = true, Name = "waybill viewer keys" };
        thread.Start();
        if (OperatingSystem.IsWindows()) return;
        try
        {
            _resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
            {
                context.Cancel = false;
                _keys.Writer.TryWrite(new ViewerKey(ViewerKeyKind.Resize));
            });
        }
        catch (PlatformNotSupportedException)
        {
            // The viewer also polls the size on every tick.
        }
    }

    public bool TryRead(out ViewerKey key) => _keys.Reader.TryRead(out key);

    /// <summary>Whether an Escape is waiting (it is taken): a long search stops on it.</summary>
    public bool TakeEscape()
    {
        if (!_keys.Reader.TryPeek(out var key) || key.Kind != ViewerKeyKind.Escape) return false;
        _keys.Reader.TryRead(out _);
        return true;
    }

    /// <summary>Waits until a key is there or <paramref name="tick"/> has passed; false when the input ended.</summary>
    public async Task<bool> WaitAsync(TimeSpan tick, TimeProvider time, CancellationToken cancellationToken)
    {
        _waiting ??= _keys.Reader.WaitToReadAsync(cancellationToken).AsTask();
        var done = await Task.WhenAny(_waiting, Task.Delay(tick, time, cancellationToken));
        if (done != _waiting) return true;
        var more = await _waiting;
        _waiting = null;
        return more;
    }

    public void Dispose() => _resize?.Dispose();

    private void Pump(Stream input)
    {
        var buffer = new byte[256];
        try
        {
            while (input.Read(buffer) is > 0 and var read)
                foreach (var key in KeyDecoder.Decode(buffer.AsSpan(0, read))) _keys.Writer.TryWrite(key);
        }
        catch (IOException)
        {
        }
        _keys.Writer.TryComplete();
    }
}
