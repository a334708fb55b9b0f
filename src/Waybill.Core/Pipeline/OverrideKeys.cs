using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline;

/// <summary>The keys <c>--set key=value</c> accepts: names joined by single dots, as config placeholders name them.</summary>
public static partial class OverrideKeys
{
    public const string Rule = "a key is one or more names joined by single dots, each of letters, digits, '_' or '-' " +
        "(e.g. --set model=small, --set asr.options.beam=5 or --set 06_asr.model=small)";

    /// <summary>Null when <paramref name="key"/> is well formed; otherwise what is wrong with it.</summary>
    public static string? Problem(string key)
    {
        if (key.Length == 0) return "the key is empty";
        // Each name is a level of nesting; building thousands of them costs quadratic time in JsonNode, so stop at the ceiling.
        var names = key.Count(c => c == '.') + 1;
        if (names > Limits.PipelineLimits.DepthCeiling)
            return $"the key has {names} names, more than config can nest ({Limits.PipelineLimits.DepthCeiling})";
        if (Pattern().IsMatch(key)) return null;
        if (key.StartsWith('.') || key.EndsWith('.')) return "the key starts or ends with '.'";
        if (key.Contains("..", StringComparison.Ordinal)) return "the key has an empty name between two dots";
        if (key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))) return "the key holds a space or a control character";
        return "the key holds a character other than letters, digits, '_', '-' and '.'";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
