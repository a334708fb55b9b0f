using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Pipeline.Costs;

/// <summary>
/// Reads the pipeline file's <c>cost:</c> mapping, already parsed (and bounded) by the pipeline loader. Every problem is
/// reported with its place: a unit no stage reports (a typo), a price that is negative or not a number, a currency that is
/// not an ISO 4217 code.
/// </summary>
internal static partial class RateCardReader
{
    private static readonly string[] Keys = ["currency", "rates"];

    /// <param name="reported">Units the pipeline's stages declare in <c>reports:</c>: the other units a card may price.</param>
    /// <param name="error">Called with a message, the node it concerns, the field and a hint, once per problem.</param>
    public static RateCard? Read(YamlNode node, IReadOnlyCollection<string> reported, Action<string, YamlNode, string, string?> error)
    {
        if (node is not YamlMappingNode map)
        {
            error("'cost' must be a mapping with 'currency' and 'rates'", node, "cost",
                "e.g. cost: { currency: EUR, rates: { cpu_hour: 0.04, memory_gb_hour: 0.005 } }");
            return null;
        }
        foreach (var key in map.Children.Keys)
        {
            var text = (key as YamlScalarNode)?.Value ?? "";
            if (Array.IndexOf(Keys, text) < 0)
                error($"unknown key '{Text.PrintableText.Of(text, 70)}' in cost", key, "cost", "allowed keys: currency, rates");
        }
        var currency = "USD";
        if (Child(map, "currency") is { } currencyNode)
        {
            if (currencyNode is YamlScalarNode { Value: { } code } && Iso4217().IsMatch(code)) currency = code;
            else error($"currency '{Describe(currencyNode)}' is not a currency code", currencyNode, "cost.currency",
                "give the three capital letters of an ISO 4217 code: USD, EUR, GBP");
        }
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        var gpuRates = new Dictionary<string, double>(StringComparer.Ordinal);
        switch (Child(map, "rates"))
        {
            case null:
                error("the rate card has no 'rates'", map, "cost.rates", "add rates: { cpu_hour: 0.04 } (price of one unit each)");
                break;
            case YamlMappingNode list:
                foreach (var (keyNode, value) in list.Children)
                {
                    var unit = (keyNode as YamlScalarNode)?.Value ?? "";
                    if (unit == RateCard.GpuHour) ReadGpuRates(value, gpuRates, error);
                    else if (Array.IndexOf(RateCard.MeasuredUnits, unit) < 0 && !reported.Contains(unit))
                        error($"unknown unit '{Text.PrintableText.Of(unit, 70)}'", keyNode, "cost.rates", UnknownHint(unit, reported));
                    else if (Price(value, $"cost.rates.{unit}", error) is { } price) rates[unit] = price;
                }
                break;
            case var other:
                error("'rates' must be a mapping of unit: price", other, "cost.rates", "e.g. rates: { cpu_hour: 0.04, tokens: 0.000002 }");
                break;
        }
        return new RateCard { Currency = currency, Rates = rates, GpuRates = gpuRates };
    }

    private static void ReadGpuRates(YamlNode value, Dictionary<string, double> gpuRates, Action<string, YamlNode, string, string?> error)
    {
        if (value is not YamlMappingNode devices)
        {
            // One price for every GPU.
            if (Price(value, "cost.rates.gpu_hour", error) is { } flat) gpuRates[RateCard.DefaultDevice] = flat;
            return;
        }
        foreach (var (deviceNode, price) in devices.Children)
        {
            var device = (deviceNode as YamlScalarNode)?.Value;
            if (string.IsNullOrWhiteSpace(device))
            {
                error("a GPU model must be a name", deviceNode, "cost.rates.gpu_hour",
                    "name the model as nvidia-smi does (\"NVIDIA H200\") or 'default'");
                continue;
            }
            if (Price(price, $"cost.rates.gpu_hour.{device}", error) is { } rate) gpuRates[device] = rate;
        }
    }

    /// <summary>A price: a plain number, zero or more.</summary>
    private static double? Price(YamlNode node, string field, Action<string, YamlNode, string, string?> error)
    {
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var price) && double.IsFinite(price))
        {
            if (price >= 0) return price;
            error($"price {text} is negative", node, field, "a price is zero or more, in the card's currency per unit");
            return null;
        }
        error($"price '{Describe(node)}' is not a number", node, field, "write the price of one unit as a plain number: 0.04");
        return null;
    }

    private static string UnknownHint(string unit, IReadOnlyCollection<string> reported)
    {
        // Only names that are units: a malformed reports: entry has its own error and is no unit to offer.
        var known = RateCard.MeasuredUnits.Concat(reported.Where(u => UsageUnits.Problem(u) is null && !RateCard.MeasuredUnits.Contains(u))
            .Order(StringComparer.Ordinal)).ToList();
        var near = known.Where(k => Text.EditDistance.Between(k, unit) <= 2).OrderBy(k => Text.EditDistance.Between(k, unit)).FirstOrDefault();
        var list = $"units are {string.Join(", ", known)}";
        return near is not null ? $"did you mean '{near}'? {list}"
            : $"{list}; a stage that reports another unit declares it: reports: [{Text.PrintableText.Of(unit, 40)}]";
    }

    private static string Describe(YamlNode node) =>
        node is YamlScalarNode scalar ? Text.PrintableText.Of(scalar.Value ?? "", 40) : node is YamlSequenceNode ? "a list" : "a mapping";

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex Iso4217();
}
