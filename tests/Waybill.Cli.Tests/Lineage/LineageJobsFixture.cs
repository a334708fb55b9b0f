using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Lineage;

/// <summary>
/// Three real jobs made by <c>waybill run</c>: "first" (a failing check and an unrelated side stage among five command
/// stages), "second" beside it in out/, whose external input is first's 02_shout/loud.txt, and "third" in another
/// folder reading the same file. The lineage tests only read them.
/// </summary>
public sealed class LineageJobsFixture : IAsyncLifetime
{
    private const string Words = """
        name: words
        stages:
          - id: 01_make
            inputs: { seed: seed.txt }
            run: cat {in.seed} > {out.text}; echo extra >> {out.text}
            outputs: { text: text.txt }
          - id: 02_shout
            inputs: { text: 01_make.text }
            run: tr a-z A-Z < {in.text} > {out.loud}
            outputs: { loud: loud.txt }
          - id: 03_count
            inputs: { loud: 02_shout.loud }
            run: wc -c < {in.loud} > {out.count}
            outputs: { count: count.txt }
          - id: 04_check
            inputs: { count: 03_count.count, text: 01_make.text }
            run: 'echo "too short" >&2; exit 4'
            outputs: { verdict: verdict.txt }
          - id: 05_side
            run: echo side > {out.side}
            outputs: { side: side.txt }
        """;

    private const string Reuse = """
        name: reuse
        stages:
          - id: 01_quote
            inputs: { loud: { path: ../out/first/02_shout/loud.txt } }
            run: sed 's/^/> /' {in.loud} > {out.quoted}
            outputs: { quoted: quoted.txt }
        """;

    public TempFolder Temp { get; } = new();
    public string Root => Temp.Path;
    public string First => Temp.Combine("out", "first");
    public string Elsewhere => Temp.Combine("elsewhere");

    public async ValueTask InitializeAsync()
    {
        Temp.Write("seed.txt", "hello from the seed\n");
        Temp.Write("waybill.yaml", Words);
        Temp.Write(Path.Combine("reuse", "waybill.yaml"), Reuse);
        var first = await CliProcess.RunAsync(Root, "run", "waybill.yaml", "--job-id", "first", "--keep-going");
        Assert.True(first.ExitCode == 1, first.All); // 04_check fails on purpose
        var second = await CliProcess.RunAsync(Root, "run", Path.Combine("reuse", "waybill.yaml"), "--job-id", "second");
        Assert.True(second.ExitCode == 0, second.All);
        var third = await CliProcess.RunAsync(Root, "run", Path.Combine("reuse", "waybill.yaml"), "--job-id", "third", "--out", "elsewhere");
        Assert.True(third.ExitCode == 0, third.All);
    }

    public Task<CliProcess.Result> Lineage(params string[] arguments) => CliProcess.RunAsync(Root, ["lineage", .. arguments]);

    public ValueTask DisposeAsync()
    {
        Temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
