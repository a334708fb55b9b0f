using System.Diagnostics;
using System.Text;

namespace Waybill.Cli.Tests.Support;

/// <summary>Runs the real <c>waybill</c> program (the built waybill.dll) as a separate process.</summary>
public static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => Stdout + Stderr;
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "waybill.dll");

    /// <summary>
    /// The program under test: WAYBILL_CLI names a built CLI (scripts/test.sh points it at the native build that ./waybill
    /// runs); otherwise this test build's waybill.dll on the .NET runtime.
    /// </summary>
    public static string? Native => Environment.GetEnvironmentVariable("WAYBILL_CLI") is { Length: > 0 } path && File.Exists(path) ? path : null;

    /// <summary>The command line that starts the CLI, for tests that go through a shell.</summary>
    public static string ShellCommand => $"env {NoCache} " + (Native is { } native ? $"'{native}'" : $"dotnet '{Dll}'");

    /// <summary>
    /// The result cache is on by default and lives in the user's cache directory: tests would find each other's results
    /// there. Off for every test unless it names a cache itself (<c>--cache DIR</c> wins over the environment).
    /// </summary>
    private const string NoCache = "WAYBILL_CACHE=off WAYBILL_CATALOG=off";

    public static Task<Result> RunAsync(string workingDirectory, params string[] args) => RunAsync(workingDirectory, null, args);

    public static async Task<Result> RunAsync(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, environment, args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Process Start(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
    {
        // Through env, which puts SIGINT back to its default: a suite started in the background by a shell without job
        // control inherits SIGINT ignored, the runtime keeps it so, and a Ctrl-C test would send a signal the CLI never sees.
        var info = new ProcessStartInfo("env")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--default-signal=INT");
        info.ArgumentList.Add(Native ?? "dotnet");
        if (Native is null) info.ArgumentList.Add(Dll);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        info.Environment["NO_COLOR"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        // No diagnostic pipes in /tmp from the .NET runtime (the JIT build): a test that kills the CLI would leave them behind.
        info.Environment["DOTNET_EnableDiagnostics"] = "0";
        info.Environment["WAYBILL_CACHE"] = "off";
        // Likewise the catalog across jobs (the user's data directory): a test that wants one names its own.
        info.Environment["WAYBILL_CATALOG"] = "off";
        if (environment is not null)
            foreach (var (key, value) in environment) info.Environment[key] = value;
        return Process.Start(info)!;
    }

    /// <summary>The repository root, for samples/ and docs/.</summary>
    public static string RepoRoot => Waybill.Tests.Support.RepositoryRoot.Required;
}
