using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Report;

/// <summary>
/// Real jobs made by <c>waybill run</c>, and their reports made by <c>waybill report</c>: "mixed" (two stages that run at
/// once, a fan-out of three items, a stage that warns with markup in its message, an optional stage that fails with an
/// error), and "again", the same pipeline run twice, the second time with a changed config value. The tests only read them.
/// </summary>
public sealed partial class ReportJobsFixture : IAsyncLifetime
{
    public const string Hostile = "</script><script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"> & more";

    /// <summary>
    /// 01_slow and 02_also each wait until the other has started (marks beside the out folder, one pair per job; 30 s at
    /// most, a safety net), so they overlap however late a busy machine starts the second; a sleep of 0.8 s alone did not
    /// promise that.
    /// </summary>
    private const string Meet = """d="../../../$(basename "$WAYBILL_JOB_DIR")"; touch "$d.ME.on"; n=0; """
        + """while [ $n -lt 600 ] && [ ! -e "$d.OTHER.on" ]; do sleep 0.05; n=$((n+1)); done""";

    private static readonly string Pipeline = """
        name: mixed
        config:
          greeting: hello
        stages:
          - id: 01_slow
            run: MEET_SLOW; sleep 0.8; echo slow > {out.a}
            outputs: { a: a.txt }
          - id: 02_also
            run: |
              MEET_ALSO
              sleep 0.8
              waybill stage warn 'only 3 words </script><script>window.pwned=1</script><img src=x onerror="window.pwned=2"> & more'
              echo b > {out.b}
            outputs: { b: b.txt }
          - id: 03_items
            foreach: { values: [one, two, three] }
            run: echo {item.value} > {out.v}
            outputs: { v: v.txt }
          - id: 04_break
            inputs: { a: 01_slow.a, b: 02_also.b }
            run: 'sleep 0.3; echo "disk on fire" >&2; exit 3'
            outputs: { c: c.txt }
            optional: true
          - id: 05_greet
            run: echo {config.greeting} > {out.g}
            outputs: { g: g.txt }
        """.Replace("MEET_SLOW", Meet.Replace("ME", "slow", StringComparison.Ordinal).Replace("OTHER", "also", StringComparison.Ordinal),
            StringComparison.Ordinal)
        .Replace("MEET_ALSO", Meet.Replace("ME", "also", StringComparison.Ordinal).Replace("OTHER", "slow", StringComparison.Ordinal),
            StringComparison.Ordinal);

    public TempFolder Temp { get; } = new();
    public string Root => Temp.Path;
    public string MixedReport => Temp.Combine("reports", "mixed.html");
    public string AgainReport => Temp.Combine("reports", "again.html");

    public async ValueTask InitializeAsync()
    {
        Temp.Write("mixed.yaml", Pipeline);
        await Run("run", "mixed.yaml", "--job-id", "mixed", "--jobs", "2");
        await Run("run", "mixed.yaml", "--job-id", "again", "--jobs", "2");
        await Run("run", "mixed.yaml", "--job-id", "again", "--jobs", "2", "--set", "greeting=bye");
        await Run("report", "mixed", "--output", MixedReport);
        await Run("report", "again", "--output", AgainReport);
    }

    private async Task Run(params string[] arguments)
    {
        // waybill is on the stages' PATH, as it is for a user: 02_also warns through 'waybill stage warn'.
        var result = await CliProcess.RunAsync(Root, new Protocol.ProtocolJob(Temp).Environment(), arguments);
        Assert.True(result.ExitCode == 0, $"waybill {string.Join(' ', arguments)}: {result.All}");
    }

    public Task<CliProcess.Result> Cli(params string[] arguments) => CliProcess.RunAsync(Root, arguments);

    /// <summary>The report's data island, parsed.</summary>
    public static JsonObject Data(string html) =>
        JsonNode.Parse(DataIsland().Match(html).Groups["json"].Value)!.AsObject();

    public static JsonObject Stage(JsonObject data, string id) =>
        data["stages"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == id)!.AsObject();

    public ValueTask DisposeAsync()
    {
        Temp.Dispose();
        return ValueTask.CompletedTask;
    }

    [GeneratedRegex("<script type=\"application/json\" id=\"report-data\">(?<json>.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex DataIsland();
}
