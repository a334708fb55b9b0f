namespace Waybill.Core.Pipeline.ShellQuoting;

/// <summary>Where a placeholder stands in a <c>/bin/sh</c> command, as far as quoting is concerned.</summary>
public enum ShellContext
{
    /// <summary>Outside any quotes (also directly inside <c>$(…)</c>): the value is single-quoted.</summary>
    Unquoted,
    /// <summary>Inside the author's <c>'…'</c>: each quote of the value becomes <c>'\''</c>.</summary>
    SingleQuoted,
    /// <summary>Inside the author's <c>"…"</c>: <c>$ ` " \</c> in the value get a backslash.</summary>
    DoubleQuoted,
    /// <summary>Inside <c>`…`</c>: its content is read twice, so no escaping is reliable. Refused.</summary>
    Backquoted,
    /// <summary>In a here-document body: a value line equal to the end word would end it. Refused.</summary>
    HereDocument,
    /// <summary>In the end word of a here-document (<c>&lt;&lt;{config.v}</c>). Refused.</summary>
    HereDocumentDelimiter,
    /// <summary>Inside <c>${…}</c>, whose quoting rules differ between shells. Refused.</summary>
    ParameterExpansion,
    /// <summary>Inside <c>$((…))</c> or <c>((…))</c>: the value is evaluated as arithmetic. Refused.</summary>
    Arithmetic,
    /// <summary>After a <c>#</c> that starts a comment: a newline in the value would end the comment. Refused.</summary>
    Comment,
    /// <summary>Right after a backslash, which would escape the first character of the inserted text. Refused.</summary>
    AfterBackslash,
    /// <summary>Inside bash's <c>$'…'</c>, which reads backslash escapes (dash reads it differently). Refused.</summary>
    AnsiCQuoted,
    /// <summary>The command cannot be read with certainty (an unclosed quote or bracket). Refused.</summary>
    Uncertain,
}
