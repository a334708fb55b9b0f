using System.Text.RegularExpressions;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Protocol;

/// <summary>
/// schemas/stage-protocol.schema.json against an outside validator (Ajv, strict): every message the shell verbs write,
/// and every example in docs/stage-protocol.md, is a valid message; a wrong one is not.
/// </summary>
public sealed partial class StageProtocolSchemaTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Every verb, with every option it has.</summary>
    private static readonly string[][] Verbs =
    [
        ["log", "plain", "words"],
        ["log", "--level", "debug", "détail \"quoted\"\ttab\nnewline"],
        ["log", "--level", "WARNING", "upper case"],
        ["warn", "disk nearly full"],
        ["error", "one frame was damaged"],
        ["track-input", "in.wav", "--type", "audio", "--format", "wav", "--name", "audio", "--meta", "sample_rate=16000", "--meta", "mono=true"],
        ["track-output", "out.srt", "--type", "subtitles", "--meta", "cues=120", "--meta", "lang=en", "--meta", "ratio=0.5"],
        ["track-output", "plain.txt"],
        ["track-intermediate", ".cache/frames.bin", "--type", "frames", "--reason", "reused by reruns", "--meta", "frames=250"],
        ["track-intermediate", "scratch.bin", "--not-retained"],
        ["config", "beam=5", "model=small", "ratio=0.25", "flag=false", "empty="],
        ["resource", "model_load_seconds=2.5", "device=cpu", "warm=true"],
        ["gpu"],
        ["gpu", "--unused"],
        ["progress", "3", "8", "segments"],
        ["progress", "0", "5"],
        ["finalize", "success"],
        ["finalize", "skipped", "--reason", "nothing to do", "checked=3", "note=fine"],
        ["finalize", "failed", "--reason", "no usable audio"],
    ];

    [Fact]
    public async Task Every_message_the_verbs_write_and_every_documented_example_is_valid()
    {
        var channel = _temp.Combine("verbs.jsonl");
        var inside = new Dictionary<string, string> { ["WAYBILL_STAGE_CHANNEL"] = channel };
        foreach (var verb in Verbs)
        {
            var run = await CliProcess.RunAsync(_temp.Path, inside, ["stage", .. verb]);
            Assert.True(run.ExitCode == 0, string.Join(' ', verb) + ": " + run.All);
        }
        var written = File.ReadAllLines(channel);
        Assert.Equal(Verbs.Length + 4, written.Length); // config wrote one add_config line per key
        var examples = _temp.Write("examples.jsonl", string.Join('\n', DocumentedExamples()) + "\n");

        var (exit, output) = await SchemaStrictTests.Ajv(["stage-protocol.schema.json=" + channel, "stage-protocol.schema.json=" + examples]);

        Assert.True(exit == 0, output);
        Assert.Contains($"{written.Length + DocumentedExamples().Count} documents, 0 problems", output);
    }

    [Fact]
    public async Task The_schema_check_is_real_wrong_messages_fail_it()
    {
        var bad = _temp.Write("bad.jsonl", """
            {"type":"log","level":"loud","message":"x"}
            {"type":"warning"}
            {"type":"resources","values":{"nested":{"a":1}}}
            {"type":"finalize","status":"done"}
            {"type":"teleport"}
            {"type":"gpu","used":true,"extra":1}
            {"type":"warning","message":"fine","t":"yesterday"}
            {"type":"progress","done":3,"total":0}
            {"type":"progress","done":1.5,"total":8,"unit":"segments"}
            """);

        var (exit, output) = await SchemaStrictTests.Ajv(["stage-protocol.schema.json=" + bad]);

        Assert.Equal(1, exit);
        for (var line = 1; line <= 9; line++) Assert.Contains($"bad.jsonl:{line}:", output);
    }

    /// <summary>The one-line JSON examples of docs/stage-protocol.md (lines of its <c>jsonl</c> blocks).</summary>
    private static List<string> DocumentedExamples()
    {
        var doc = File.ReadAllText(Path.Combine(CliProcess.RepoRoot, "docs", "stage-protocol.md"));
        var lines = JsonlBlocks().Matches(doc).SelectMany(m => m.Groups[1].Value.Split('\n'))
            .Where(l => l.TrimStart().StartsWith('{')).ToList();
        Assert.True(lines.Count >= 12, "docs/stage-protocol.md should show an example of every message type");
        return lines;
    }

    [GeneratedRegex(@"```jsonl\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex JsonlBlocks();
}
