using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline;

/// <summary>
/// <c>{in.audio}</c>, <c>{out.segments}</c>, <c>{config.model}</c>, <c>{stage.dir}</c>, <c>{job.dir}</c> in a command.
/// Values are shell-quoted, so paths with spaces or quotes stay one argument. <c>${HOME}</c> is left to the shell.
/// </summary>
public static partial class Placeholders
{
    public sealed record Reference(string Scope, string Key, int Index);

    public static IEnumerable<Reference> Find(string command) =>
        Pattern().Matches(command).Select(m => new Reference(m.Groups[1].Value, m.Groups[2].Value, m.Index));

    /// <summary>Expands every placeholder; <paramref name="resolve"/> returns null for an unknown one, which is an error.</summary>
    public static string Expand(string command, Func<string, string, string?> resolve) =>
        Pattern().Replace(command, m =>
        {
            var value = resolve(m.Groups[1].Value, m.Groups[2].Value)
                ?? throw new InvalidOperationException($"placeholder {m.Value} has no value");
            return ShellQuote(value);
        });

    /// <summary>Expands every placeholder without shell quoting (for file paths, not commands); unknown ones are left as they are.</summary>
    public static string ExpandRaw(string text, Func<string, string, string?> resolve) =>
        Pattern().Replace(text, m => resolve(m.Groups[1].Value, m.Groups[2].Value) ?? m.Value);

    /// <summary>Looks up a dotted key (<c>asr.model</c>) in a config object.</summary>
    public static JsonNode? Lookup(JsonObject config, string dottedKey)
    {
        JsonNode? node = config;
        foreach (var part in dottedKey.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node)) return null;
        }
        return node;
    }

    public static bool Has(JsonObject config, string dottedKey)
    {
        JsonNode? node = config;
        foreach (var part in dottedKey.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node)) return false;
        }
        return true;
    }

    /// <summary>A config value as command text: strings bare, everything else as JSON.</summary>
    public static string ConfigText(JsonNode? node) => node switch
    {
        null => "",
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        _ => node.ToJsonString(),
    };

    public static string ShellQuote(string value)
    {
        if (value.Length > 0 && SafeWord().IsMatch(value)) return value;
        var builder = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            if (c == '\'') builder.Append("'\\''");
            else builder.Append(c);
        }
        return builder.Append('\'').ToString();
    }

    [GeneratedRegex(@"(?<!\$)\{(in|out|config|stage|job)\.([A-Za-z0-9_.-]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^[A-Za-z0-9_./:=+,@%-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SafeWord();
}
