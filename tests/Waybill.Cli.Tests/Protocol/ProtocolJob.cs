using System.Text.Json.Nodes;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Protocol;

/// <summary>
/// A job whose stages talk to the engine over the stage channel: the pipeline is written into a scratch folder and run by
/// the real CLI; <c>waybill</c> is on the stages' PATH (a wrapper around the CLI under test), as it is for a user.
/// </summary>
internal sealed class ProtocolJob(TempFolder temp, string jobId = "j")
{
    public string JobDir => temp.Combine("out", jobId);

    /// <summary>PATH with a <c>bin/waybill</c> that starts the CLI under test, then the usual folders.</summary>
    public Dictionary<string, string> Environment(IDictionary<string, string>? extra = null)
    {
        var bin = temp.Combine("bin");
        var wrapper = Path.Combine(bin, "waybill");
        if (!File.Exists(wrapper))
        {
            temp.Write("bin/waybill", $"#!/bin/sh\nexec {CliProcess.ShellCommand} \"$@\"\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin"),
            ["DOTNET_EnableDiagnostics"] = "0",
        };
        if (extra is not null)
            foreach (var (key, value) in extra) environment[key] = value;
        return environment;
    }

    public async Task<CliProcess.Result> RunAsync(string pipeline, params string[] args)
    {
        temp.Write("waybill.yaml", pipeline);
        return await CliProcess.RunAsync(temp.Path, Environment(), ["run", "waybill.yaml", "--job-id", jobId, "--jobs", "1", .. args]);
    }

    public JsonNode Manifest(string stageId) => JsonNode.Parse(File.ReadAllText(Path.Combine(JobDir, stageId, "manifest.json")))!;

    public string StageLog(string stageId) => File.ReadAllText(Path.Combine(JobDir, stageId, "stage.log"));

    public string PipelineLog() =>
        string.Concat(Directory.GetFiles(Path.Combine(JobDir, "logs"), "99_pipeline_*.log").Order().Select(File.ReadAllText));

    /// <summary>The manifest's warning messages.</summary>
    public List<string> Warnings(string stageId) => Messages(Manifest(stageId)["warnings"]);

    public List<string> Errors(string stageId) => Messages(Manifest(stageId)["errors"]);

    private static List<string> Messages(JsonNode? list) => [.. list!.AsArray().Select(w => w!["message"]!.GetValue<string>())];

    /// <summary>No channel file is left behind: the engine removes each once merged.</summary>
    public void NoChannelsLeft()
    {
        var channels = Path.Combine(JobDir, ".waybill", "channels");
        Assert.True(!Directory.Exists(channels) || Directory.GetFileSystemEntries(channels).Length == 0,
            "channel files left: " + string.Join(", ", Directory.Exists(channels) ? Directory.GetFileSystemEntries(channels) : []));
    }
}
