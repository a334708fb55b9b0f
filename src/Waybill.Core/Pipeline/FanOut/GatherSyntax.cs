using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline.FanOut;

/// <summary>
/// <c>inputs: { all: 06_asr.segments[*] }</c> is how a gather reads, but YAML does not allow '[' inside a plain value
/// of a flow mapping. When a file fails to parse, each such value right after a key is quoted and the file read again;
/// a file that parses as written is never changed.
/// </summary>
public static partial class GatherSyntax
{
    /// <summary>The text with every unquoted <c>key: NN_stage.output[*]</c> value quoted; the same text when there is none.</summary>
    public static string Quote(string yaml) => Unquoted().Replace(yaml, "$1\"$2\"");

    [GeneratedRegex(@"(:[ \t]+)([0-9]{2,6}_[a-z][a-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*\[\*\])(?=[ \t]*(?:[,}]|$|#))",
        RegexOptions.CultureInvariant | RegexOptions.Multiline)]
    private static partial Regex Unquoted();
}
