using System.Diagnostics;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>
/// The shipped schemas checked by an outside validator: Ajv in strict mode (scripts/check-schemas.cjs, Ajv installed
/// by scripts/setup.sh) compiles every schema and validates the files of real jobs and the sample pipelines.
/// </summary>
public sealed partial class SchemaStrictTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Mixed = """
        name: mixed
        stages:
          - id: 01_make
            run: printf 'a\nb\n' > {out.a}
            outputs: { a: { path: a.txt, type: text, format: txt } }
          - id: 02_noisy
            inputs: { a: 01_make.a }
            run: |
              printf 'esc \033[31m nul \000 end\n'; cat {in.a} > {out.b}
            outputs: { b: b.txt }
          - id: 03_fail
            run: echo broken >&2; exit 2
          - id: 04_after
            after: 03_fail
            run: echo never
        """;

    [Fact]
    public async Task Every_schema_compiles_in_strict_mode_and_real_job_files_and_sample_pipelines_validate()
    {
        _temp.Write("mixed/waybill.yaml", Mixed);
        var mixed = await CliProcess.RunAsync(_temp.Combine("mixed"), "run", "waybill.yaml", "--job-id", "m", "--debug");
        Assert.True(mixed.ExitCode == 1, mixed.All);
        File.Copy(Path.Combine(CliProcess.RepoRoot, "samples", "demo", "waybill.yaml"), _temp.Combine("demo.yaml"));
        var demo = await CliProcess.RunAsync(_temp.Path, "run", "demo.yaml", "--job-id", "d");
        Assert.True(demo.ExitCode == 0, demo.All);

        var checks = new List<string>();
        foreach (var job in new[] { _temp.Combine("mixed", "out", "m"), _temp.Combine("out", "d") })
        {
            checks.Add("job-manifest.schema.json=" + Path.Combine(job, "manifest.json"));
            checks.Add("events.schema.json=" + Path.Combine(job, "logs", "events.jsonl"));
            checks.AddRange(Directory.GetFiles(job, "manifest.json", SearchOption.AllDirectories)
                .Where(f => Path.GetDirectoryName(f) != job).Select(f => "manifest.schema.json=" + f));
        }
        foreach (var sample in Directory.GetFiles(Path.Combine(CliProcess.RepoRoot, "samples"), "waybill.yaml", SearchOption.AllDirectories))
            checks.Add("pipeline.schema.json=" + AsJson(sample));

        var (exit, output) = await Ajv(checks);

        Assert.True(exit == 0, output);
        var documents = int.Parse(Counted().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(documents >= 20, output);
        ReliabilityFigures.Record("documents validated by Ajv in strict mode against the shipped schemas (one test run)",
            documents.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task The_check_is_real_a_wrong_status_and_an_unknown_event_field_fail_it()
    {
        var manifest = _temp.Write("bad-manifest.json", """{"schema_version":"1.0","job_id":"j","status":12}""");
        var events = _temp.Write("bad.jsonl", """
            {"ts":"2025-11-27T13:29:12.5561203Z","event":"job_started","status":"running"}
            {"ts":"2025-11-27T13:29:12Z","event":"log","level":"INFO","category":"pipeline","message":"m","extra":1}
            {"ts":"yesterday","event":"job_started","status":"running"}
            """);

        var (exit, output) = await Ajv(["job-manifest.schema.json=" + manifest, "events.schema.json=" + events]);

        Assert.Equal(1, exit);
        Assert.Contains("bad-manifest.json: job-manifest.schema.json: /status", output);
        Assert.DoesNotContain("bad.jsonl:1:", output);
        Assert.Contains("bad.jsonl:2:", output);
        Assert.Contains("bad.jsonl:3:", output);
    }

    /// <summary>A pipeline file as the JSON the loader reads it as.</summary>
    private string AsJson(string yamlPath)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(File.ReadAllText(yamlPath)));
        var json = Waybill.Core.Pipeline.YamlValues.ToJson(stream.Documents[0].RootNode)!.ToJsonString();
        return _temp.Write(Path.Combine("pipelines", Path.GetFileName(Path.GetDirectoryName(yamlPath)!) + ".json"), json);
    }

    internal static async Task<(int Exit, string Output)> Ajv(IEnumerable<string> checks)
    {
        var root = CliProcess.RepoRoot;
        Assert.True(File.Exists(Path.Combine(root, ".build", "node", "node_modules", "ajv", "package.json")),
            "Ajv is not installed in .build/node: run scripts/setup.sh");
        var info = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        foreach (var argument in (string[])[Path.Combine(root, "scripts", "check-schemas.cjs"), Path.Combine(root, "schemas"), .. checks])
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, stdout + await stderr);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"ajv strict: \d+ schemas, (\d+) documents, 0 problems")]
    private static partial System.Text.RegularExpressions.Regex Counted();
}
