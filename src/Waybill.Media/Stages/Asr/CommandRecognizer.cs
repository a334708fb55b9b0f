using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Pipeline.ShellQuoting;
using Waybill.Core.Stages;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Runs a user's recognizer command (WhisperX, whisper.cpp, openai-whisper, …) once on the whole audio file through
/// <c>/bin/sh</c>, then reads the JSON it wrote. One run, not one per VAD segment: these tools load a large model
/// at every start and work best with context. The template's placeholders are escaped for the quoting they stand in:
/// <c>{audio}</c>, <c>{out_dir}</c> (an empty folder for its output), <c>{out_base}</c> (<c>{out_dir}/&lt;audio name&gt;</c>,
/// for whisper.cpp's <c>-of</c>), <c>{language}</c> and <c>{model}</c>.
/// </summary>
public sealed partial class CommandRecognizer(StageContext context, string template, string language, string model) : ISpeechRecognizer
{
    private const int QuotedLines = 5;

    public string Backend => "command";

    public string Model => template.Contains("{model}", StringComparison.Ordinal)
        ? model
        : template.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "";

    public string? Format { get; private set; }
    public string? DetectedLanguage { get; private set; }
    public int EstimatedWords { get; private set; }

    public Task LoadAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<RecognizedSpan>> RecognizeAsync(SpeechAudio audio, IReadOnlyList<SpeechSegment> segments, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(template))
            throw new StageFailedException("config 'command' is empty: backend command needs a command line, e.g. whisperx {audio} --output_format json --output_dir {out_dir}");
        if (!template.Contains("{audio}", StringComparison.Ordinal))
            throw new StageFailedException($"config 'command' has no {{audio}} placeholder, so the command cannot know which file to read: {template}");
        var outDir = Path.Combine(context.CacheDir, "command");
        if (Directory.Exists(outDir)) Directory.Delete(outDir, recursive: true);
        Directory.CreateDirectory(outDir);
        var outBase = Path.Combine(outDir, Path.GetFileNameWithoutExtension(audio.Path));
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["audio"] = audio.Path, ["out_dir"] = outDir, ["out_base"] = outBase, ["language"] = language, ["model"] = model,
        };
        var command = ShellTemplate.Parse(template, [.. Placeholder().Matches(template).Select(m => (m.Index, m.Length))])
            .Expand(slot => values[slot.Text[1..^1]]);
        context.Logger.LogInformation("running the ASR command on {Seconds:0.0} s of audio", audio.Duration);

        // stderr is joined to stdout so that its last lines can be quoted when the command fails.
        var tail = new Queue<string>();
        var gate = new Lock();
        var result = await context.RunProcessAsync("/bin/sh", ["-c", "exec 2>&1\n" + command], cancellationToken, standardOutput: line =>
        {
            context.Logger.LogDebug("output| {Line}", line);
            if (line.Trim().Length == 0) return;
            lock (gate)
            {
                tail.Enqueue(line.Trim());
                if (tail.Count > QuotedLines) tail.Dequeue();
            }
        });
        if (result.Cancelled) throw new OperationCanceledException(cancellationToken);
        if (result.ExitCode != 0)
        {
            var hint = result.ExitCode == 127 ? " (127: the program was not found; install it or give its full path)" : "";
            string[] last;
            lock (gate) last = [.. tail];
            var lines = last.Length == 0 ? "it printed nothing" : "its last lines: " + string.Join(" | ", last);
            throw new StageFailedException($"the ASR command exited with code {result.ExitCode}{hint}; {lines}. Command: {command}");
        }

        var json = FindOutput(outDir, outBase, command);
        context.TrackIntermediate(json, "asr_raw", retained: true, reason: "the ASR command's own JSON, kept for inspection");
        var parsed = WhisperJson.Parse(json);
        Format = parsed.Format;
        EstimatedWords = parsed.EstimatedWords;
        DetectedLanguage = parsed.Language;
        context.Logger.LogInformation("read {Count} segments of {Format} JSON from {File}", parsed.Spans.Count, parsed.Format, Path.GetFileName(json));
        return parsed.Spans;
    }

    private static string FindOutput(string outDir, string outBase, string command)
    {
        var files = Directory.GetFiles(outDir, "*.json", SearchOption.AllDirectories);
        if (files.Length == 1) return files[0];
        if (File.Exists(outBase + ".json")) return outBase + ".json";
        if (files.Length == 0)
            throw new StageFailedException($"the ASR command succeeded but wrote no JSON file into {outDir}. It must write WhisperX JSON (--output_format json --output_dir {{out_dir}}) or whisper.cpp JSON (-oj -of {{out_base}}). Command: {command}");
        throw new StageFailedException($"the ASR command wrote {files.Length} JSON files into {outDir} and none is {Path.GetFileName(outBase)}.json: {string.Join(", ", files.Select(Path.GetFileName))}");
    }

    public void Dispose()
    {
    }

    [GeneratedRegex(@"\{(audio|out_dir|out_base|language|model)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
