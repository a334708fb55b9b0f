using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Waybill.Core.Tests.Execution.Attempts;

/// <summary>
/// A fake clock that tells the test each timer the engine starts on it (a backoff wait, a timeout), so the test moves
/// time exactly when the engine waits: no real sleeping, no race with the engine's threads.
/// </summary>
internal sealed class RecordingClock : TimeProvider
{
    private readonly FakeTimeProvider _fake = new();
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public override DateTimeOffset GetUtcNow() => _fake.GetUtcNow();

    public override long GetTimestamp() => _fake.GetTimestamp();

    public override long TimestampFrequency => _fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => _fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _fake.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>The due time of the next timer the engine starts (waits for it to be started, at most a minute).</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await _timers.Reader.ReadAsync(bound.Token);
    }

    /// <summary>True when no timer was started that the test has not seen.</summary>
    public bool NoTimerPending => !_timers.Reader.TryPeek(out _);

    public void Advance(TimeSpan by) => _fake.Advance(by);
}
