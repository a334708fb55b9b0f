using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Waybill.Core.Execution;
using Waybill.Core.Pipeline.ShellQuoting;
using Waybill.Core.Stages;

namespace Waybill.Media.Stages.SourceSeparation;

/// <summary>
/// Backend <c>command</c>: a shell command (e.g. a Demucs wrapper) with <c>{in}</c> (the audio) and <c>{out}</c>
/// (where vocals.wav must go) replaced by paths escaped for the quoting they stand in, run with <c>/bin/sh -c</c>
/// in the stage folder.
/// The command also sees WAYBILL_IN_AUDIO and WAYBILL_OUT_VOCALS.
/// </summary>
public static partial class SeparationCommand
{
    private const int KeptLines = 20;

    /// <summary>The command with <c>{in}</c> and <c>{out}</c> replaced; other braces are left to the shell.</summary>
    public static string Expand(string template, string input, string output) =>
        ShellTemplate.Parse(template, [.. Placeholder().Matches(template).Select(m => (m.Index, m.Length))])
            .Expand(slot => slot.Text == "{in}" ? input : output);

    public static async Task RunAsync(StageContext context, string template, string input, string output, CancellationToken cancellationToken)
    {
        var command = Expand(template, input, output);
        context.Logger.LogInformation("Running separation command: {Command}", command);
        var tail = new Queue<string>();
        // stderr joins stdout so the failure can quote the command's last words.
        var result = await context.RunProcessAsync("/bin/sh", ["-c", "exec 2>&1\n" + command], cancellationToken, standardOutput: line =>
        {
            context.Logger.LogDebug("output| {Line}", line);
            if (string.IsNullOrWhiteSpace(line)) return;
            tail.Enqueue(line.Trim());
            if (tail.Count > KeptLines) tail.Dequeue();
        });
        cancellationToken.ThrowIfCancellationRequested();
        if (result.ExitCode != 0)
        {
            var last = tail.Count > 0 ? tail.Last() : "no output";
            throw new StageFailedException($"the separation command exited with code {result.ExitCode}: {last}; check config 'command' (ran: {command})");
        }
        if (!File.Exists(output))
            throw new StageFailedException($"the separation command succeeded but wrote no {Path.GetFileName(output)} (expected {output}); it must write the vocals to {{out}} (ran: {command})");
    }

    [GeneratedRegex(@"\{(in|out)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
