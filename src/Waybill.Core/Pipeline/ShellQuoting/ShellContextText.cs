namespace Waybill.Core.Pipeline.ShellQuoting;

/// <summary>Why a placeholder cannot stand in a refused context, and what to write instead; shared by validation and the runtime check.</summary>
public static class ShellContextText
{
    /// <summary>"is inside backticks …": follows "placeholder {config.v} ".</summary>
    public static string Why(ShellContext context, string? problem) => context switch
    {
        ShellContext.Backquoted => "is inside backticks `…`, whose text the shell reads a second time, so no quoting keeps a value data",
        ShellContext.HereDocument => "is in a here-document body, where a value line equal to the end word would end the document early "
            + "(and an unquoted end word would expand $(…) in the value)",
        ShellContext.HereDocumentDelimiter => "is in the end word of a here-document",
        ShellContext.ParameterExpansion => "is inside ${…}, where shells differ in how quotes in the inserted text are read",
        ShellContext.Arithmetic => "is inside arithmetic $((…)) or ((…)), where the shell evaluates the value as an expression "
            + "(bash runs commands written in array subscripts)",
        ShellContext.Comment => "is in a comment, where a newline in the value would end the comment and run the rest as commands",
        ShellContext.AfterBackslash => "is right after a backslash, which would escape the first character of the inserted text",
        ShellContext.AnsiCQuoted => "is inside $'…', which bash reads with backslash escapes and dash does not",
        ShellContext.Uncertain => $"cannot be quoted with certainty: {problem ?? "waybill cannot tell how the shell reads it"}",
        _ => "can be quoted safely",
    };

    public static string Hint(ShellContext context, string placeholder) => context switch
    {
        ShellContext.Backquoted => $"use $(…) instead of backticks: $(cmd {placeholder}) quotes the value safely",
        ShellContext.HereDocument => $"put the placeholder outside the here-document: assign it to a variable first: v={placeholder}; "
            + "then write $v in the body of a here-document whose end word is unquoted (<<EOF)",
        ShellContext.HereDocumentDelimiter => "write the end word literally, e.g. <<EOF",
        ShellContext.ParameterExpansion => $"assign it to a variable first: v={placeholder}; then use \"${{NAME:-$v}}\"",
        ShellContext.Arithmetic => $"assign it to a variable and check that it is a number first: n={placeholder}; "
            + "case $n in ''|*[!0-9]*) exit 2;; esac; then use $((n + 1))",
        ShellContext.Comment => "remove the placeholder from the comment, or quote the # ('#') if it is not meant to start one",
        ShellContext.AfterBackslash => "remove the backslash before the placeholder",
        ShellContext.AnsiCQuoted => "use plain '…' quotes around the placeholder",
        ShellContext.Uncertain => "close every quote, (, $(, ${ and here-document in the command: waybill reads the command "
            + "to quote each placeholder for the place it stands in",
        _ => "",
    };
}
