using Xunit;

namespace Waybill.Cli.Tests.Catalog;

/// <summary>The catalog suite against a real PostgreSQL server (a team's shared catalog), each test in a database of its own.</summary>
public sealed class PostgresCatalogTests(PostgresServer server) : CatalogSuite, IClassFixture<PostgresServer>
{
    protected override string Catalog { get; } = server.NewDatabase();

    [Fact]
    public async Task A_server_that_cannot_be_reached_costs_the_run_one_warning() =>
        await AssertRunSucceedsWithOneWarningAsync($"postgres://waybill:secret-pw@127.0.0.1:1/nowhere?timeout=2");

    [Fact]
    public async Task The_password_of_a_catalog_url_never_reaches_the_output()
    {
        Temp.Write("waybill.yaml", "name: p\nstages:\n  - id: 01_a\n    run: echo a\n");
        var run = await Support.CliProcess.RunAsync(Temp.Path,
            new Dictionary<string, string> { ["WAYBILL_CATALOG"] = $"postgres://waybill:hunter2-secret@127.0.0.1:1/x?timeout=2" },
            "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Contains("postgres://waybill:***@127.0.0.1", run.All, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", run.All + string.Concat(Directory.GetFiles(Temp.Combine("out", "j"), "*", SearchOption.AllDirectories)
            .Select(File.ReadAllText)), StringComparison.Ordinal);
    }
}
