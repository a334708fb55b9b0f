using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Rerun;

/// <summary>A three-stage job of shell commands with an external input, a config value and a versioned tool, run with the real CLI.</summary>
internal sealed class RerunJob(TempFolder temp)
{
    public const string Pipeline = """
        name: rerun
        config:
          greeting: hello
        stages:
          - id: 01_upper
            inputs: { text: input.txt }
            run: tr a-z A-Z < {in.text} > {out.upper}
            outputs: { upper: upper.txt }
          - id: 02_greet
            inputs: { upper: 01_upper.upper }
            run: 'mytool && echo "{config.greeting}" | cat - {in.upper} > {out.greeted}'
            outputs: { greeted: greeted.txt }
            tools: { mytool: mytool --version }
          - id: 03_count
            inputs: { greeted: 02_greet.greeted }
            run: wc -l < {in.greeted} > {out.count}
            outputs: { count: count.txt }
          - id: 04_side
            run: echo side > {out.side}
            outputs: { side: side.txt }
        """;

    public string Job => temp.Combine("out", "j");

    public void Create(string toolVersion = "1.0")
    {
        temp.Write("waybill.yaml", Pipeline);
        temp.Write("input.txt", "one\ntwo\n");
        SetToolVersion(toolVersion);
    }

    /// <summary>A tool on PATH whose version the test controls.</summary>
    public void SetToolVersion(string version)
    {
        var tool = temp.Write("bin/mytool", $"#!/bin/sh\n[ \"$1\" = --version ] && echo \"mytool {version}\"\nexit 0\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public Dictionary<string, string> Environment => new() { ["PATH"] = temp.Combine("bin") + ":" + System.Environment.GetEnvironmentVariable("PATH") };

    public Task<CliProcess.Result> RunAsync(params string[] extra) =>
        CliProcess.RunAsync(temp.Path, Environment, ["run", "waybill.yaml", "--job-id", "j", "--jobs", "1", .. extra]);

    public JsonNode Manifest(string stageId) => JsonNode.Parse(File.ReadAllText(Path.Combine(Job, stageId, "manifest.json")))!;

    /// <summary>The stage's entry in the job manifest: what the last run decided (a stage found up to date keeps its manifest).</summary>
    public JsonNode JobStage(string stageId) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Job, "manifest.json")))!["stages"]!.AsArray().Single(s => (string?)s!["stage_id"] == stageId)!;

    public string Status(string stageId) => JobStage(stageId)["status"]!.GetValue<string>();

    /// <summary>Stage ids the last run really ran (not skipped as up to date).</summary>
    public IReadOnlyList<string> Ran() => [.. StageIds.Where(id => Status(id) == "success")];

    private static readonly string[] StageIds = ["01_upper", "02_greet", "03_count", "04_side"];
}
