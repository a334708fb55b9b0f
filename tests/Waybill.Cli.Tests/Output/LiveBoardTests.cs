using Microsoft.Extensions.Time.Testing;
using Waybill.Cli.Output;
using Xunit;

namespace Waybill.Cli.Tests.Output;

/// <summary>The live display's state and drawing, on a test clock and an in-memory terminal.</summary>
public sealed class LiveBoardTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<string> _notes = [];

    [Fact]
    public void Progress_reports_only_record_and_the_timer_draws_one_frame()
    {
        var terminal = new CountingWriter();
        using var board = Board(terminal, height: 40);
        for (var i = 0; i < 1_000_000; i++) board.Stage("06_asr", i, 1_000_000, "segments");
        board.Overall("p: 0/3 stages", 0);
        Assert.Equal(0, terminal.Writes);

        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, terminal.Writes);
        Assert.Contains("06_asr: 999,999/1,000,000 segments", terminal.Text);
    }

    [Fact]
    public void A_failing_terminal_never_reaches_a_stage_and_stops_the_display_with_one_note()
    {
        var terminal = new CountingWriter { Fails = true };
        using var board = Board(terminal, height: 40);
        board.Stage("06_asr", 1, 10, "segments");
        _time.Advance(TimeSpan.FromMilliseconds(200));
        board.Stage("06_asr", 2, 10, "segments");
        board.Overall("p: 1/3 stages", 1);
        _time.Advance(TimeSpan.FromMilliseconds(600));
        Assert.Equal(1, terminal.Writes);
        board.Print("a log line");

        var note = Assert.Single(_notes);
        Assert.Contains("live display stopped", note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_total_shows_a_capped_time_left_instead_of_overflowing()
    {
        var terminal = new CountingWriter();
        using var board = Board(terminal, height: 40);
        board.Stage("01_big", 0, 10_000_000_000_000, "bytes");
        _time.Advance(TimeSpan.FromSeconds(5));
        board.Stage("01_big", 1, 10_000_000_000_000, "bytes");
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Contains("ETA 9999:00:00", terminal.Text);
        Assert.Empty(_notes);
    }

    [Fact]
    public void More_bars_than_the_terminal_has_rows_end_in_a_count_of_the_rest()
    {
        var terminal = new CountingWriter();
        using var board = Board(terminal, height: 10);
        for (var i = 0; i < 30; i++) board.Stage($"s{i:D2}", 1, 10, "items");
        _time.Advance(TimeSpan.FromMilliseconds(200));

        var rows = terminal.Text.Split('\n');
        Assert.Equal(9, rows.Length);
        Assert.Contains("s06:", rows[7]);
        Assert.Contains("+23 more", rows[8]);
    }

    private LiveBoard Board(TextWriter terminal, int height) =>
        new(terminal, color: false, _time, () => 100, () => height, "p: 0/3 stages", 3, _notes.Add);

    /// <summary>A terminal that counts the frames written to it, or fails every write like a terminal that went away.</summary>
    private sealed class CountingWriter : StringWriter
    {
        public int Writes { get; private set; }
        public bool Fails { get; init; }

        public string Text => ToString();

        public override void Write(string? value)
        {
            Writes++;
            if (Fails) throw new IOException("Input/output error");
            base.Write(value);
        }
    }
}
