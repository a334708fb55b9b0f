using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Core.Pipeline.ShellQuoting;

namespace Waybill.Core.Pipeline;

/// <summary>
/// <c>{in.audio}</c>, <c>{out.segments}</c>, <c>{config.model}</c>, <c>{stage.dir}</c>, <c>{job.dir}</c> in a command.
/// Each value is escaped for the quoting it stands in (unquoted, inside the author's '…' or "…", in $(…)), so it stays
/// one argument of data; see <see cref="ShellTemplate"/>. <c>${HOME}</c> is left to the shell.
/// </summary>
public static partial class Placeholders
{
    /// <summary>
    /// Characters of the commands read so far: validation and the run read each one, and a pipeline of thousands of stages
    /// may have as many commands (a 500-stage pipeline's are about 25,000 characters); the bound, on their size rather than
    /// their number, guards a host that builds large commands on the fly.
    /// </summary>
    private const long CachedCharacters = 8 * 1024 * 1024;
    private static readonly ConcurrentDictionary<string, ShellTemplate> Templates = new(StringComparer.Ordinal);
    // ConcurrentDictionary.Count takes every lock of the table (up to 1,024): asked on each miss, it cost a run of 500
    // stages with 500 different commands 6.5% of its CPU samples. A running total is enough for a bound.
    private static long s_cachedCharacters;

    public sealed record Reference(string Scope, string Key, int Index);

    public static IEnumerable<Reference> Find(string command) =>
        Pattern().Matches(command).Select(m => new Reference(m.Groups[1].Value, m.Groups[2].Value, m.Index));

    /// <summary>
    /// Expands every placeholder, escaped for its quoting context; <paramref name="resolve"/> returns null for an unknown
    /// one, which is an error. A placeholder in a refused context or a value with a NUL byte throws StageFailedException.
    /// </summary>
    public static string Expand(string command, Func<string, string, string?> resolve) => Expand(command, resolve, (_, _) => null);

    /// <summary>As <see cref="Expand(string, Func{string, string, string?})"/>; <paramref name="words"/> gives a list where a placeholder stands for many words.</summary>
    public static string Expand(string command, Func<string, string, string?> resolve, Func<string, string, IReadOnlyList<string>?> words) =>
        Template(command).Expand(
            slot =>
            {
                var end = slot.Text.IndexOf('.', StringComparison.Ordinal);
                return resolve(slot.Text[1..end], slot.Text[(end + 1)..^1]) ?? throw new InvalidOperationException($"placeholder {slot.Text} has no value");
            },
            slot =>
            {
                var end = slot.Text.IndexOf('.', StringComparison.Ordinal);
                return words(slot.Text[1..end], slot.Text[(end + 1)..^1]);
            });

    /// <summary>The command read once for its placeholders' quoting contexts (cached: validation and every run read the same text).</summary>
    public static ShellTemplate Template(string command)
    {
        if (Templates.TryGetValue(command, out var template)) return template;
        template = ShellTemplate.Parse(command, [.. Pattern().Matches(command).Select(m => (m.Index, m.Length))]);
        if (Interlocked.Add(ref s_cachedCharacters, command.Length) > CachedCharacters)
        {
            Templates.Clear();
            Interlocked.Exchange(ref s_cachedCharacters, command.Length);
        }
        Templates[command] = template;
        return template;
    }

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

    /// <summary>The value as one unquoted shell word (for logging an argument list; commands go through <see cref="Expand"/>).</summary>
    public static string ShellQuote(string value) => ShellEscaping.Word(value);

    [GeneratedRegex(@"(?<!\$)\{(in|out|config|stage|job|item)\.([A-Za-z0-9_.-]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
