using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>A stage manifest whose JSON is sound but whose field holds the wrong kind of value: verify names the field.</summary>
public sealed class VerifyFieldTests(CheckedJob fixture) : IClassFixture<CheckedJob>, IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("started_utc", "\"last tuesday\"", "a date and time in ISO 8601")]
    [InlineData("attempt", "\"1\"", "a whole number (without quotes)")]
    [InlineData("outputs[0].size_bytes", "\"12\"", "a whole number (without quotes)")]
    [InlineData("duration_seconds", "true", "a number (without quotes)")]
    public async Task A_field_of_the_wrong_kind_is_named_with_its_value_and_what_it_should_be(string field, string value, string expected)
    {
        var job = fixture.CopyTo(_temp.Combine("out", "j"));
        CheckedJob.EditManifest(job, "01_make", m => Set(m, field, JsonNode.Parse(value)), reseal: true);

        var text = await CliProcess.RunAsync(_temp.Path, "verify", job);
        var json = await CliProcess.RunAsync(_temp.Path, "verify", job, "--json");

        Assert.Equal(1, text.ExitCode);
        Assert.Contains($"01_make/manifest.json: field {field} at line ", text.Stdout);
        Assert.Contains($"{value} is not {expected}", text.Stdout);
        var problems = JsonNode.Parse(json.Stdout)!["findings"]!.AsArray().Where(f => f!["severity"]!.GetValue<string>() == "error").ToList();
        var problem = Assert.Single(problems)!;
        Assert.Equal("invalid_field", problem["kind"]!.GetValue<string>());
        Assert.Equal("01_make", problem["stage"]!.GetValue<string>());
        Assert.Equal(field, problem["field"]!.GetValue<string>());
        Assert.Equal(value, problem["actual"]!.GetValue<string>());
        Assert.StartsWith(expected, problem["expected"]!.GetValue<string>());
    }

    /// <summary>Sets <c>a.b[0].c</c>-style paths.</summary>
    private static void Set(JsonNode root, string field, JsonNode? value)
    {
        var parts = field.Replace("[", ".[", StringComparison.Ordinal).Split('.');
        var node = root;
        foreach (var part in parts[..^1])
            node = part.StartsWith('[') ? node[int.Parse(part[1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[part]!;
        node[parts[^1]] = value;
    }
}
