using System.Text;
using Waybill.Cli.Viewer;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Viewer;

/// <summary>The viewer's lazily indexed log file and its filtered view, on real files: cuts, and searches in bytes.</summary>
public sealed class LogFileTests : IDisposable
{
    private const int Block = 1 << 20;
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_log_cut_shorter_while_followed_starts_the_filtered_view_over()
    {
        var path = _temp.Write("stage.log", string.Concat(Enumerable.Range(0, 500).Select(Line)));
        using var file = new LogFile(path);
        var view = new LogView(file, LevelFilter.Warning, null);
        Assert.Equal(250, view.CountAll());

        File.WriteAllText(path, Line(0) + Line(1) + Line(3));
        Assert.True(file.Refresh());

        Assert.False(view.Has(200));
        Assert.Equal(2, view.CountAll());
        Assert.Contains("message 1", view.Text(0));
        Assert.Contains("message 3", view.Text(1));
    }

    [Fact]
    public void A_match_split_across_two_blocks_is_found()
    {
        // One line longer than a block, the needle starting 3 bytes before the first block ends.
        var path = _temp.Write("stage.log", new string('x', Block - 3) + "needle-here\nlast\n");
        using var file = new LogFile(path);

        Assert.Equal(0, file.Find(new LogSearch(["NEEDLE"], ignoreCase: true), 0, _ => true, _ => true));
        Assert.Equal(-1, file.Find(new LogSearch(["needle"], ignoreCase: false), 1, _ => true, _ => true));
    }

    [Fact]
    public void A_line_of_invalid_utf8_before_the_match_leaves_its_line_number_exact()
    {
        var bytes = new List<byte>();
        bytes.AddRange("start\n"u8.ToArray());
        for (var i = 0; i < 50; i++) bytes.AddRange([0xC3, 0x28, 0xFF, 0xE2, 0x82, (byte)'\n']);
        bytes.AddRange("before\nthe match is here\nafter\n"u8.ToArray());
        var path = _temp.Combine("stage.log");
        File.WriteAllBytes(path, [.. bytes]);
        using var file = new LogFile(path);

        var line = file.Find(new LogSearch(["match"], ignoreCase: true), 0, _ => true, _ => true);
        Assert.Equal(52, line);
        Assert.Equal("the match is here", file.Line(line));
    }

    [Fact]
    public void Matches_the_filter_hides_are_passed_over_in_one_search()
    {
        var path = _temp.Write("stage.log", string.Concat(Enumerable.Range(0, 2000).Select(Line)));
        using var file = new LogFile(path);
        var view = new LogView(file, LevelFilter.Warning, null);
        var asked = new List<int>();
        bool Shown(int line)
        {
            asked.Add(line);
            return view.ShownAtOrAfter(line) is >= 0 and var shown && view.FileLine(shown) == line;
        }

        // Lines 10-19 hold "message 1"; only odd lines pass the filter. The search from line 10 passes 10 over for 11.
        Assert.Equal(11, file.Find(new LogSearch(["MESSAGE 1"], ignoreCase: true), 10, Shown, _ => true));
        Assert.Equal([10, 11], asked);
    }

    private static string Line(int i) =>
        $"[2026-12-05 06:00:00] [stage.a] [{(i % 2 == 0 ? "INFO" : "WARNING")}] message {i}\n";
}
