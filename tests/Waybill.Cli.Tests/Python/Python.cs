using System.Diagnostics;
using System.Text;

namespace Waybill.Cli.Tests.Python;

/// <summary>Runs python3 for a test: a script or a module, in a folder, with extra environment; stdout and stderr kept.</summary>
internal static class Python
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public string All => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>The client's sources in this checkout (what the engine embeds).</summary>
    public static string ClientRoot => Path.Combine(Waybill.Tests.Support.RepositoryRoot.Required, "clients", "python");

    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo("python3")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // Never a stage's channel from the environment the tests run in, and no __pycache__ in the checkout.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("WAYBILL_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
