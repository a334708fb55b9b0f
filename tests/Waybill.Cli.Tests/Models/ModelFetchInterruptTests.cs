using System.Diagnostics;
using System.Globalization;
using Waybill.Cli.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Models;

/// <summary>Ctrl-C (SIGINT) in the middle of a download: a prompt non-zero exit, no model file, the partial kept for resume.</summary>
public sealed class ModelFetchInterruptTests : IDisposable
{
    private readonly ModelFolderFixture _models = new();

    [Fact]
    public async Task Sigint_during_a_slow_download_exits_130_and_leaves_no_model_file_and_a_remove_meanwhile_is_refused()
    {
        _models.Server.Trickle = TimeSpan.FromMilliseconds(100);
        using var process = StartWithDefaultSigint("models", "fetch", ModelFolderFixture.Id, "--mirror", _models.Server.MirrorUrl);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            // Wait for bytes to arrive: the signal must land mid-download, not before it starts.
            var clock = Stopwatch.StartNew();
            while (!(_models.Partials.Length == 1 && new FileInfo(_models.Partials[0]).Length > 0) && clock.Elapsed < TimeSpan.FromSeconds(60))
                await Task.Delay(50);
            Assert.True(_models.Partials.Length == 1, "the download never started");
            // A remove meanwhile is refused rather than pull the partial from under the fetch.
            var remove = await _models.RunAsync("models", "remove", ModelFolderFixture.Id);
            Assert.True(remove.ExitCode == 1, remove.All);
            Assert.Contains($"{ModelFolderFixture.Id} is being fetched by another process", remove.Stderr, StringComparison.Ordinal);
            Assert.Single(_models.Partials);

            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }

        Assert.True(process.ExitCode == 130, await stdout + await stderr);
        Assert.Contains("cancelled", await stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_models.ModelPath), "a half-written model was installed");
        Assert.Equal([".partial"], Directory.GetFileSystemEntries(_models.ModelFolder).Select(Path.GetFileName));
        Assert.InRange(new FileInfo(Assert.Single(_models.Partials)).Length, 1, _models.Bytes.Length - 1);
    }

    /// <summary>
    /// Starts the CLI with SIGINT at its default action: a process started in the background inherits SIGINT ignored, and
    /// the runtime then leaves it ignored; python resets it before exec'ing the CLI.
    /// </summary>
    private Process StartWithDefaultSigint(params string[] args)
    {
        if (!SigintIgnored()) return CliProcess.Start(_models.Root, _models.Environment, args);
        var reset = "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])";
        string[] cli = CliProcess.Native is { } native ? [native] : ["dotnet", CliProcess.Dll];
        var info = new ProcessStartInfo("python3")
        {
            WorkingDirectory = _models.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])["-c", reset, .. cli, .. args]) info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        foreach (var (key, value) in _models.Environment) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    private static bool SigintIgnored()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2) != 0;
    }

    public void Dispose() => _models.Dispose();
}
