using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Waybill.Core.Manifests;
using Xunit;

namespace Waybill.Core.Tests.Manifests;

/// <summary>
/// The string fields that most manifests of a job share are read as one string per thread (<see cref="RepeatedString"/>),
/// and every value still reads as it was written, whatever else was read before it.
/// </summary>
public sealed class RepeatedStringTests
{
    private static readonly JsonTypeInfo<StageManifest> Info =
        (JsonTypeInfo<StageManifest>)ManifestJson.GeneratedReadOptions.GetTypeInfo(typeof(StageManifest));

    private static StageManifest Read(string status, string stageId = "01_a")
    {
        var json = "{\"stage\":\"a\",\"stage_id\":" + JsonSerializer.Serialize(stageId) + ",\"job_id\":\"j\",\"run_id\":\"01a2\","
            + "\"kind\":\"command\",\"host\":\"h\",\"waybill_version\":\"1\",\"status\":" + JsonSerializer.Serialize(status) + "}";
        return JsonSerializer.Deserialize(json, Info)!;
    }

    [Fact]
    public void Two_manifests_of_a_run_share_its_strings_but_not_their_own()
    {
        var (first, second) = (Read("success", "02_b[x]"), Read("success", "02_b[y]"));
        Assert.Same(first.RunId, second.RunId);
        Assert.Same(first.Status, second.Status);
        Assert.Same(first.Host, second.Host);
        Assert.Equal(("02_b[x]", "02_b[y]"), (first.StageId, second.StageId));
    }

    [Fact]
    public void Every_value_reads_as_written_among_many_others()
    {
        // Far more values than the table has places, so that values meet in one place; escaped, long and non-ASCII ones too.
        var values = Enumerable.Range(0, 2_000).Select(i => $"status-{i}")
            .Concat(["é", "\"quoted\"", "tab\there", new string('x', 500), "ünï€ode 🎬", ""]).ToList();
        var random = new Random(7);
        for (var round = 0; round < 3; round++)
        {
            foreach (var value in values.OrderBy(_ => random.Next())) Assert.Equal(value, Read(value).Status);
        }
    }
}
