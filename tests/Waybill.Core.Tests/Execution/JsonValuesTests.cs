using System.Text.Json.Nodes;
using Waybill.Core.Execution;
using Xunit;

namespace Waybill.Core.Tests.Execution;

/// <summary>Values stages record and config values they read, through generated code (no reflection needed).</summary>
public sealed class JsonValuesTests
{
    [Fact]
    public void Lists_and_dictionaries_of_plain_values_become_json_arrays_and_objects()
    {
        var value = new Dictionary<string, object?>
        {
            ["words"] = new List<string> { "a", "b" },
            ["counts"] = new[] { 1, 2, 3 },
            ["nested"] = new Dictionary<string, object?> { ["ratio"] = 0.5, ["ok"] = true, ["none"] = null },
        };

        var node = JsonValues.From(value);

        Assert.Equal("""{"words":["a","b"],"counts":[1,2,3],"nested":{"ratio":0.5,"ok":true,"none":null}}""", node!.ToJsonString());
    }

    [Fact]
    public void Config_values_are_read_as_the_types_stages_ask_for()
    {
        var config = JsonNode.Parse("""{"n": 16, "t": 0.6, "s": "large", "l": ["x", "y"], "o": {"k": 1}}""")!;

        Assert.Equal(16L, JsonValues.To<long>(config["n"]!));
        Assert.Equal(0.6, JsonValues.To<double?>(config["t"]!));
        Assert.Equal("large", JsonValues.To<string>(config["s"]!));
        Assert.Equal(["x", "y"], JsonValues.To<List<string>>(config["l"]!)!);
        Assert.Equal("""{"k":1}""", JsonValues.To<JsonNode>(config["o"]!)!.ToJsonString());
        Assert.Throws<System.Text.Json.JsonException>(() => JsonValues.To<long>(config["s"]!));
    }

    [Fact]
    public void A_node_becomes_a_standalone_element()
    {
        Assert.Equal("""{"a":[1,"b"]}""", JsonValues.Element(JsonNode.Parse("""{"a":[1,"b"]}""")).GetRawText());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, JsonValues.Element(null).ValueKind);
    }
}
