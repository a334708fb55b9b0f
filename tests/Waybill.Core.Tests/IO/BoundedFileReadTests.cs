using System.Text;
using Waybill.Core.IO;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.IO;

/// <summary>
/// The one place a file Waybill does not fully control is read: whole within a bound, or a line at a time with no line
/// past its bound; a link to /dev/zero and a sparse file of gigabytes are refused at once, naming the file and the bound.
/// </summary>
public sealed class BoundedFileReadTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Link()
    {
        var path = _temp.Combine("endless");
        File.CreateSymbolicLink(path, "/dev/zero");
        return path;
    }

    [Fact]
    public void A_file_within_its_bound_is_read_whole_as_text()
    {
        var path = _temp.Combine("a.txt");
        File.WriteAllBytes(path, [.. Encoding.UTF8.Preamble, .. "grüße\n"u8]);

        // 3 bytes of byte order mark and 8 of text: exactly the bound.
        Assert.Equal("grüße\n", BoundedFileRead.ReadAllText(path, 11, "note", "shorten it"));
        Assert.Throws<FileLimitException>(() => BoundedFileRead.ReadAllText(path, 10, "note", "shorten it"));
    }

    [Fact]
    public void A_link_to_dev_zero_is_refused_with_the_file_the_bound_and_what_to_do()
    {
        var path = Link();

        var e = Assert.Throws<FileLimitException>(() => BoundedFileRead.ReadAllBytes(path, 64 << 10, "note", "remove it"));
        Assert.Equal($"{path}: more than 64 KiB, the most a note may hold (is it a link to a device or to another file?); remove it", e.Message);
        Assert.Equal(64 << 10, e.MaxBytes);
        Assert.Null(e.Line);
    }

    [Fact]
    public void A_sparse_file_of_gigabytes_is_refused_from_its_length_without_reading_it()
    {
        var path = _temp.Combine("sparse");
        using (var file = File.Open(path, FileMode.CreateNew)) file.SetLength(8L << 30);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Assert.False(BoundedFileRead.TryReadAllBytes(path, 1 << 20, out var bytes));
        Assert.Empty(bytes);
        // Reading 8 GiB of zeros would take seconds; the length alone answers in microseconds.
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void Lines_are_given_as_File_ReadLines_gives_them()
    {
        var path = _temp.Combine("lines.txt");
        File.WriteAllBytes(path, [.. Encoding.UTF8.Preamble, .. "one\r\n\ntwo\nlast without newline"u8]);

        Assert.Equal(File.ReadLines(path), BoundedFileRead.ReadLines(path, 1 << 20, 64, "list", "split it"));
    }

    [Fact]
    public void A_lone_carriage_return_ends_a_line_and_UTF_16_is_decoded_as_File_ReadLines_does()
    {
        var mac = _temp.Combine("mac.txt");
        File.WriteAllBytes(mac, "a\rb\r\rc\r\n"u8.ToArray());
        var unicode = _temp.Combine("unicode.txt");
        File.WriteAllText(unicode, "term\tÜbersetzung\r\nzweite\n", Encoding.Unicode);

        Assert.Equal(["a", "b", "", "c"], BoundedFileRead.ReadLines(mac, 1 << 20, 64, "list", "split it"));
        Assert.Equal(File.ReadLines(mac), BoundedFileRead.ReadLines(mac, 1 << 20, 64, "list", "split it"));
        Assert.Equal(["term\tÜbersetzung", "zweite"], BoundedFileRead.ReadLines(unicode, 1 << 20, 64, "glossary", "split it"));
    }

    [Fact]
    public void A_line_at_its_bound_passes_whatever_ends_it_and_the_byte_order_mark_does_not_count()
    {
        var path = _temp.Combine("edge.txt");
        File.WriteAllBytes(path, [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(new string('x', 8) + "\r\n" + "ü1234\r\n")]);

        // 8 bytes, then 6 (ü is two): the \r\n and the mark are not the line's.
        Assert.Equal([new string('x', 8), "ü1234"], BoundedFileRead.ReadLines(path, 1 << 20, 8, "list", "split it"));
        var e = Assert.Throws<FileLimitException>(() => BoundedFileRead.ReadLines(path, 1 << 20, 7, "list", "split it").ToList());
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public async Task A_named_pipe_in_place_of_a_file_is_refused_without_waiting_for_a_writer()
    {
        var path = _temp.Combine("pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path])) await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);

        // Opened for reading, a named pipe waits for a writer that never comes; the read must not.
        var read = Task.Run(() => BoundedFileRead.TryReadAllBytes(path, 1 << 20, out _), TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<IOException>(() => read.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Contains("is a named pipe", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bound_of_the_largest_long_reads_the_whole_file()
    {
        var path = _temp.Combine("any.txt");
        File.WriteAllText(path, "one\ntwo\n");

        Assert.Equal(["one", "two"], BoundedFileRead.ReadLines(path, long.MaxValue, 64, "list", "split it"));
        using var stream = BoundedFileRead.OpenBounded(path, long.MaxValue, "list", "split it");
        Assert.Equal("one\ntwo\n", new StreamReader(stream).ReadToEnd());
    }

    [Fact]
    public void Lines_that_cross_the_read_buffer_are_whole()
    {
        var path = _temp.Combine("long.txt");
        var lines = Enumerable.Range(0, 5_000).Select(i => new string((char)('a' + (i % 26)), i % 97)).ToList();
        File.WriteAllText(path, string.Join("\n", lines) + "\n");

        Assert.Equal(lines, BoundedFileRead.ReadLines(path, 1 << 20, 96, "list", "split it"));
    }

    [Fact]
    public void A_line_longer_than_its_bound_is_refused_with_its_number()
    {
        var path = _temp.Combine("list.txt");
        File.WriteAllText(path, "a\nb\n" + new string('x', 101) + "\nc\n");

        var read = new List<string>();
        var e = Assert.Throws<FileLimitException>(() => read.AddRange(BoundedFileRead.ReadLines(path, 1 << 20, 100, "list", "split it")));
        Assert.Equal(["a", "b"], read);
        Assert.Equal(3, e.Line);
        Assert.Equal($"{path}:3: a line of more than 100 bytes, the most a line of a list may hold; split it", e.Message);
    }

    [Fact]
    public void A_link_to_dev_zero_read_as_lines_stops_at_the_line_bound()
    {
        var e = Assert.Throws<FileLimitException>(() => BoundedFileRead.ReadLines(Link(), long.MaxValue, 1 << 20, "list", "").ToList());
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Lines_past_the_file_bound_are_refused_even_when_each_is_short()
    {
        var path = _temp.Combine("many.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("item\n", 100_000)));

        var e = Assert.Throws<FileLimitException>(() => BoundedFileRead.ReadLines(path, 100_000, 100, "list", "split it").Count());
        Assert.Null(e.Line);
        Assert.StartsWith($"{path}: more than 100,000 bytes", e.Message);
    }

    [Fact]
    public void A_bounded_stream_ends_as_the_file_does_within_its_bound_and_throws_past_it()
    {
        var path = _temp.Combine("list.json");
        File.WriteAllText(path, "[\"a\", \"b\"]");

        using (var stream = BoundedFileRead.OpenBounded(path, 10, "list", ""))
        using (var document = System.Text.Json.JsonDocument.Parse(stream))
            Assert.Equal(2, document.RootElement.GetArrayLength());
        using var endless = BoundedFileRead.OpenBounded(Link(), 1 << 20, "list", "split it");
        Assert.Throws<FileLimitException>(() => System.Text.Json.JsonDocument.Parse(endless));
    }
}
