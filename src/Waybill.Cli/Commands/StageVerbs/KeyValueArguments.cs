using System.Text.Json.Nodes;
using Waybill.Core.Pipeline;
using Waybill.Core.Text;

namespace Waybill.Cli.Commands.StageVerbs;

/// <summary><c>KEY=VALUE</c> arguments of the verbs, values read as <c>--set</c> reads them: numbers, booleans, strings.</summary>
internal static class KeyValueArguments
{
    /// <param name="what">How the verb names the pair in an error (e.g. "config", "--meta").</param>
    /// <param name="scalarsOnly">True where an empty value (null) is refused: resources are numbers, strings or booleans.</param>
    public static List<KeyValuePair<string, JsonNode?>> Parse(IEnumerable<string> items, string verb, string what, string example,
        bool scalarsOnly = false)
    {
        var pairs = new List<KeyValuePair<string, JsonNode?>>();
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new CliException($"waybill stage {verb}: {what} '{PrintableText.Of(item, 80)}' is not KEY=VALUE",
                    $"e.g. waybill stage {verb} {example}");
            }
            var value = ConfigOverrides.ParseValue(item[(eq + 1)..]);
            if (scalarsOnly && value is null)
            {
                throw new CliException($"waybill stage {verb}: {what} '{PrintableText.Of(item, 80)}' has no value",
                    $"a value is a number, true or false, or text; e.g. waybill stage {verb} {example}");
            }
            // A key given twice: the last value wins, in the first one's place.
            var key = item[..eq];
            var at = pairs.FindIndex(p => p.Key == key);
            if (at >= 0) pairs[at] = new KeyValuePair<string, JsonNode?>(key, value);
            else pairs.Add(new KeyValuePair<string, JsonNode?>(key, value));
        }
        return pairs;
    }
}
