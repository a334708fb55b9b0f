namespace Waybill.Core.Pipeline.ShellQuoting;

/// <summary>One placeholder of a command: where it is (character offset and length), its text and its quoting context.</summary>
public sealed record ShellSlot(int Start, int Length, string Text, ShellContext Context)
{
    /// <summary>Any value can be inserted here as data; the other contexts are refused.</summary>
    public bool IsSafe => Context is ShellContext.Unquoted or ShellContext.SingleQuoted or ShellContext.DoubleQuoted;
}
