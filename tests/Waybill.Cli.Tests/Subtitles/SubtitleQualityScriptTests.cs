using System.Globalization;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>bench/scripts/subtitle-quality.sh: word error rate, cue offsets and line rules of a real subtitle run.</summary>
public sealed class SubtitleQualityScriptTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private static readonly string Scripts = Path.Combine(RepositoryRoot.Required, "bench", "scripts");

    public void Dispose() => _temp.Dispose();

    private static Dictionary<string, string> Fields(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split(": ", 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim(), StringComparer.Ordinal);

    private static double Number(Dictionary<string, string> fields, string name) =>
        double.Parse(fields.TryGetValue(name, out var value) ? value : throw new Xunit.Sdk.XunitException($"no '{name}' in the output"), CultureInfo.InvariantCulture);

    private static Dictionary<string, string> Wer(string reference, string hypothesis) =>
        Fields(Tool.Run("python3", Path.Combine(Scripts, "subtitle_quality.py"), "wer", reference, hypothesis));

    [Theory]
    [InlineData("the cat sat on the mat", "The cat sat on the mat.", 0, 0, 0, 0)]
    [InlineData("the cat sat on the mat", "the cat sat on a mat", 1 / 6.0, 1, 0, 0)]
    [InlineData("I'm here, right now!", "im here right", 2 / 4.0, 1, 1, 0)]
    [InlineData("a b c", "", 1, 0, 3, 0)]
    [InlineData("a b c", "x a b c y z", 1, 0, 0, 3)]
    [InlineData("♪ la la ♪ hello", "la la hello", 0, 0, 0, 0)]
    public void The_word_error_rate_of_known_texts(string reference, string hypothesis, double wer, int substitutions, int deletions, int insertions)
    {
        var fields = Wer(reference, hypothesis);
        Assert.Equal(wer, Number(fields, "wer"), 3);
        Assert.Equal((substitutions, deletions, insertions), ((int)Number(fields, "substitutions"), (int)Number(fields, "deletions"), (int)Number(fields, "insertions")));
    }

    [Fact]
    public void The_script_runs_the_subtitle_job_on_the_generated_sample_and_reports_every_figure()
    {
        // The script takes one program as WAYBILL; this one starts the CLI under test the way the other tests do.
        var cli = _temp.Write("waybill-under-test", $"#!/bin/sh\nexec {CliProcess.ShellCommand} \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(cli, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var work = _temp.Combine("work");
        var output = Tool.Run("env", $"WAYBILL={cli}", $"WORK={work}", "bash", Path.Combine(Scripts, "subtitle-quality.sh"));
        var fields = Fields(output);

        Assert.Equal("pocketsphinx", fields["backend"]);
        Assert.InRange(Number(fields, "wer"), 0, 1);
        Assert.True(Number(fields, "reference_words") > 50, output);
        Assert.True(Number(fields, "cues") > 0, output);
        // The truth of the generated sample has times: the first and last cue are compared with its first and last sentence.
        Assert.InRange(Number(fields, "first_cue_offset_seconds"), -1, 1);
        Assert.InRange(Number(fields, "last_cue_offset_seconds"), -1, 1);
        Assert.InRange(Number(fields, "chars_per_second_max"), Number(fields, "chars_per_second_mean"), 20);
        foreach (var rule in new[] { "lines_over_42_chars", "cues_over_2_lines", "cues_under_0.8_seconds", "cues_over_7_seconds", "overlapping_cues",
                     "cues_over_20_chars_per_second" })
            Assert.Equal(0, Number(fields, rule));
        Assert.True(File.Exists(Path.Combine(work, "out", "quality", "11_subtitle_generation", "subtitles.srt")));
    }

    [Fact]
    public void A_truth_srt_gives_cue_offsets_and_a_missing_file_is_a_usage_error()
    {
        var truth = _temp.Write("truth.srt", "1\n00:00:01,000 --> 00:00:03,000\nHello there.\n\n2\n00:00:04,000 --> 00:00:06,500\nGood bye now.\n");
        var subtitles = _temp.Write("subs.srt", "1\n00:00:01,250 --> 00:00:03,000\nhello there\n\n2\n00:00:04,000 --> 00:00:06,000\ngood buy now\n");
        var fields = Fields(Tool.Run("python3", Path.Combine(Scripts, "subtitle_quality.py"), "report", truth, subtitles));
        Assert.Equal(0.2, Number(fields, "wer"), 3); // one of five words
        Assert.Equal(0.25, Number(fields, "first_cue_offset_seconds"), 3);
        Assert.Equal(-0.5, Number(fields, "last_cue_offset_seconds"), 3);
        Assert.Equal(2, Number(fields, "cues"));

        var missing = Assert.Throws<InvalidOperationException>(() => Tool.Run("bash", Path.Combine(Scripts, "subtitle-quality.sh"), _temp.Combine("none.mp4"), truth));
        Assert.Contains("no such file", missing.Message, StringComparison.Ordinal);
    }
}
