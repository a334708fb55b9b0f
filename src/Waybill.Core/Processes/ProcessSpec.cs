namespace Waybill.Core.Processes;

/// <summary>Describes a child process to start with <see cref="ChildProcess.RunAsync"/>.</summary>
/// <param name="FileName">Absolute path, a path relative to <paramref name="WorkingDirectory"/> (when it contains '/'), or a name resolved on the PATH from <paramref name="Environment"/> (or the current PATH when absent).</param>
/// <param name="Arguments">Arguments after argv[0]; argv[0] is <paramref name="FileName"/> as given.</param>
/// <param name="WorkingDirectory">Working directory of the child; empty means the current directory.</param>
/// <param name="Environment">The complete environment of the child: nothing is inherited.</param>
public sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Arguments,
    string WorkingDirectory,
    IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>Called with the child's pid (also its process group id) as soon as it has started: to sample it while it runs.</summary>
    internal Action<int>? Started { get; init; }
}
