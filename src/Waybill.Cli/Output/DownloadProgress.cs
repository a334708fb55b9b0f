using System.Globalization;
using Waybill.Core.Pipeline.Controls;
using Waybill.Media.Models;

namespace Waybill.Cli.Output;

/// <summary>
/// One self-rewriting progress line per download on a terminal (percent, bytes, rate), at most four updates a second;
/// nothing when standard error is piped, where the start and end lines the command prints say enough.
/// </summary>
internal sealed class DownloadProgress(TextWriter error, TimeProvider time)
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private readonly bool _enabled = !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb");
    private long _lastTick;
    private long _startTick;
    private long _startBytes = -1;
    private bool _drawn;

    public void Report(KnownModel model, long bytes)
    {
        if (!_enabled) return;
        var now = time.GetTimestamp();
        if (_startBytes < 0)
        {
            (_startTick, _startBytes) = (now, bytes);
        }
        var done = model.SizeBytes is { } total && bytes >= total;
        if (!done && time.GetElapsedTime(_lastTick, now) < Interval) return;
        _lastTick = now;
        var seconds = time.GetElapsedTime(_startTick, now).TotalSeconds;
        var rate = seconds > 0 ? Quantities.FormatSize((long)((bytes - _startBytes) / seconds)) + "/s" : "";
        var percent = model.SizeBytes is > 0 ? (100.0 * bytes / model.SizeBytes.Value).ToString("0", CultureInfo.InvariantCulture) + "%" : "";
        error.Write($"\r  {model.Id}  {percent,4}  {Quantities.FormatSize(bytes)} of {Quantities.FormatSize(model.SizeBytes ?? 0)}  {rate}   ");
        error.Flush();
        _drawn = true;
    }

    /// <summary>Ends the progress line so the next message starts on its own line.</summary>
    public void End()
    {
        if (!_drawn) return;
        error.WriteLine();
        _drawn = false;
        _startBytes = -1;
    }
}
