using System.Collections.Concurrent;
using Waybill.Core.Processes;

namespace Waybill.Core.Execution;

/// <summary>
/// Runs each distinct version command once per run and keeps the first line it prints, secrets masked: a tool may
/// print a token from the environment, and the line is written to the manifest (masked the same way on every run,
/// so the comparison with the recorded version still holds).
/// </summary>
public sealed class ToolVersions(Secrets.Redactor redactor)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _versions = new(StringComparer.Ordinal);

    public Task<string> GetAsync(string versionCommand, CancellationToken cancellationToken) =>
        _versions.GetOrAdd(versionCommand, command => new Lazy<Task<string>>(async () => redactor.Redact(await ProbeAsync(command, cancellationToken)))).Value;

    private static async Task<string> ProbeAsync(string command, CancellationToken cancellationToken)
    {
        string? first = null;
        var gate = new Lock();
        void Take(string line)
        {
            lock (gate) if (first is null && !string.IsNullOrWhiteSpace(line)) first = line.Trim();
        }
        try
        {
            var result = await ChildProcess.RunAsync(new ProcessSpec("/bin/sh", ["-c", command], Environment.CurrentDirectory, StageContext.CurrentEnvironment()), Take, Take, cancellationToken);
            return result.ExitCode == 0 && first is not null ? first : $"unknown ('{command}' exited with {result.ExitCode})";
        }
        catch (ProcessStartException e)
        {
            return $"unknown ({e.Message})";
        }
    }
}
