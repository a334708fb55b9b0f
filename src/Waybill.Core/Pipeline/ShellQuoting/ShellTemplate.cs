using System.Text;
using Waybill.Core.Stages;

namespace Waybill.Core.Pipeline.ShellQuoting;

/// <summary>
/// A command read once by <see cref="ShellLexer"/>: its placeholders, each with the quoting context it stands in.
/// <see cref="Expand"/> inserts each value escaped for its context, so a value never becomes code; a placeholder in
/// a context no escaping makes safe, or a value with a NUL byte, fails the stage instead.
/// </summary>
public sealed class ShellTemplate
{
    private ShellTemplate(string command, IReadOnlyList<ShellSlot> slots, string? problem)
    {
        Command = command;
        Slots = slots;
        Problem = problem;
    }

    public string Command { get; }

    /// <summary>The placeholders in order of their position.</summary>
    public IReadOnlyList<ShellSlot> Slots { get; }

    /// <summary>What made the command unreadable (an unclosed quote…); every placeholder is then refused.</summary>
    public string? Problem { get; }

    /// <summary>Reads <paramref name="command"/>; <paramref name="placeholders"/>: (start, length) of each, sorted and disjoint.</summary>
    public static ShellTemplate Parse(string command, IReadOnlyList<(int Start, int Length)> placeholders)
    {
        var (contexts, problem) = ShellLexer.Classify(command, placeholders);
        var slots = new ShellSlot[placeholders.Count];
        for (var i = 0; i < slots.Length; i++)
        {
            var (start, length) = placeholders[i];
            slots[i] = new ShellSlot(start, length, command.Substring(start, length), contexts[i]);
        }
        return new ShellTemplate(command, slots, problem);
    }

    /// <summary>The command with every placeholder replaced by <paramref name="value"/>, escaped for where it stands.</summary>
    public string Expand(Func<ShellSlot, string> value) => Expand(value, _ => null);

    /// <summary>
    /// As <see cref="Expand(Func{ShellSlot, string})"/>; where <paramref name="words"/> gives a list (a gather's files),
    /// the placeholder becomes that many words, each escaped: only outside quotes, where words can stand apart.
    /// </summary>
    public string Expand(Func<ShellSlot, string> value, Func<ShellSlot, IReadOnlyList<string>?> words)
    {
        foreach (var slot in Slots)
            if (!slot.IsSafe) throw new StageFailedException(Refusal(slot));
        var builder = new StringBuilder(Command.Length + 64);
        var at = 0;
        foreach (var slot in Slots)
        {
            builder.Append(Command, at, slot.Start - at);
            if (words(slot) is { } list)
            {
                if (slot.Context != ShellContext.Unquoted)
                    throw new StageFailedException($"placeholder {slot.Text} stands for {list.Count} files and cannot be quoted; write it unquoted");
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) builder.Append(' ');
                    ShellEscaping.Append(builder, slot.Context, NoNul(slot, list[i]));
                }
            }
            else ShellEscaping.Append(builder, slot.Context, NoNul(slot, value(slot)));
            at = slot.Start + slot.Length;
        }
        return builder.Append(Command, at, Command.Length - at).ToString();
    }

    /// <summary>A C string ends at NUL: the shell would see a silently shortened value.</summary>
    private static string NoNul(ShellSlot slot, string text) => text.Contains('\0', StringComparison.Ordinal)
        ? throw new StageFailedException(
            $"placeholder {slot.Text} has a value with a NUL byte, which no shell command can carry; remove the NUL from the value")
        : text;

    public string Refusal(ShellSlot slot) =>
        $"placeholder {slot.Text} {ShellContextText.Why(slot.Context, Problem)} ({ShellContextText.Hint(slot.Context, slot.Text)})";
}
