using Waybill.Core.OpenLineage;
using Xunit;

namespace Waybill.Core.Tests.OpenLineage;

/// <summary>Run ids (deterministic, so START and end agree without state) and how an endpoint URL is read.</summary>
public sealed class OpenLineageIdsTests
{
    [Fact]
    public void Stage_run_ids_are_version_5_uuids_as_RFC_9562_computes_them()
    {
        // RFC 9562's own example: the DNS name space and "www.example.com".
        var dns = new Guid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        Assert.Equal(new Guid("2ed6657d-e927-568b-95e1-2665a8aea6a2"), OpenLineageIds.ForStage(dns, "www.example.com"));
    }

    [Fact]
    public void A_uuid_run_id_is_kept_and_any_other_gets_a_stable_uuid_of_its_own()
    {
        var v7 = Guid.CreateVersion7();
        Assert.Equal(v7, OpenLineageIds.ForRun(v7.ToString()));

        var derived = OpenLineageIds.ForRun("run-2025-01-02");
        Assert.Equal(derived, OpenLineageIds.ForRun("run-2025-01-02"));
        Assert.NotEqual(derived, OpenLineageIds.ForRun("run-2025-01-03"));
        Assert.Equal(5, derived.Version);

        var stage = OpenLineageIds.ForStage(v7, "01_a");
        Assert.Equal(stage, OpenLineageIds.ForStage(v7, "01_a"));
        Assert.NotEqual(stage, OpenLineageIds.ForStage(v7, "02_b"));
        Assert.NotEqual(stage, OpenLineageIds.ForStage(Guid.CreateVersion7(), "01_a"));
    }

    [Theory]
    [InlineData("http://localhost:5000", "http://localhost:5000/api/v1/lineage")]
    [InlineData("http://localhost:5000/", "http://localhost:5000/api/v1/lineage")]
    [InlineData("https://lineage.example.org/api/v1/lineage", "https://lineage.example.org/api/v1/lineage")]
    [InlineData("https://gateway.example.org/marquez/", "https://gateway.example.org/marquez/api/v1/lineage")]
    [InlineData("http://10.0.0.5:9000/custom/lineage", "http://10.0.0.5:9000/custom/lineage")]
    public void An_endpoint_gets_the_lineage_path_unless_it_has_one(string given, string expected)
    {
        Assert.Equal(expected, OpenLineageSettings.ParseEndpoint(given, out var problem)?.ToString());
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("localhost:5000")]
    [InlineData("ftp://files.example.org/")]
    [InlineData("not a url")]
    public void A_url_that_is_not_http_is_refused_with_an_example(string given)
    {
        Assert.Null(OpenLineageSettings.ParseEndpoint(given, out var problem));
        Assert.Contains("is not an http:// or https:// URL", problem, StringComparison.Ordinal);
        Assert.Contains("http://localhost:5000", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Messages_show_the_endpoint_without_credentials()
    {
        var endpoint = OpenLineageSettings.ParseEndpoint("https://user:pa55word@lineage.example.org:8443/?key=abc", out _)!;
        Assert.Equal("https://lineage.example.org:8443/api/v1/lineage", OpenLineageSettings.Display(endpoint));
    }
}
