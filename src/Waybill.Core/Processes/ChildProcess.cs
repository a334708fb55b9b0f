namespace Waybill.Core.Processes;

/// <summary>
/// Runs Linux child processes with posix_spawn and reaps them with wait4, which yields the CPU time and peak RSS
/// of the child including the descendants it waited for (System.Diagnostics.Process cannot report those).
/// Only the spawned pid is ever waited for, so this coexists with System.Diagnostics.Process in the same process.
/// </summary>
public static class ChildProcess
{
    private const string FallbackPath = "/usr/local/bin:/usr/bin:/bin";
    private static readonly TimeSpan DefaultKillGrace = TimeSpan.FromSeconds(3);
    private static long s_started;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> s_absoluteFound = new(StringComparer.Ordinal);

    /// <summary>How long a child's output may stay open after it exited before what holds it is killed: 1 s.</summary>
    public static TimeSpan OutputLinger => ChildRun.Linger;

    /// <summary>How many children this process has started so far.</summary>
    public static long Started => Interlocked.Read(ref s_started);

    /// <summary>
    /// For a shutdown in a hurry (a second termination signal): SIGKILLs every running child's process group now and
    /// makes later cancellations kill at once; running calls still return, marked cancelled.
    /// </summary>
    public static void KillAllNow() => ChildRun.KillAllNow();

    /// <summary>
    /// Starts the process with stdin on /dev/null, streams each stdout and stderr line to the callbacks
    /// (never concurrently for the same stream; the two streams are pumped concurrently), waits for the exit
    /// and for both streams to reach EOF, and returns the result.
    /// </summary>
    /// <remarks>
    /// On cancellation the child's process group gets SIGTERM, then SIGKILL after <paramref name="killGrace"/>
    /// (default 3 s; <see cref="Timeout.InfiniteTimeSpan"/> never escalates), and the result has
    /// <see cref="ProcessResult.Cancelled"/> set; <see cref="OperationCanceledException"/> is never thrown.
    /// When the token is already cancelled nothing is started: the result has ExitCode -1 and ProcessId 0.
    /// When a callback throws, the process group is terminated the same way and, once the child is reaped,
    /// the task faults with that exception.
    /// Each stream is read in bounded chunks and delivered within its <see cref="OutputLimits"/> (default
    /// <see cref="OutputLimits.LinesOnly"/>: every line, those over 1 MiB cut with a note), so memory stays bounded.
    /// When the child exits, whatever is left of its process group is killed; output still held open by processes the
    /// child started is read for <see cref="OutputLinger"/>, then their group is killed, and reading stops one
    /// <see cref="OutputLinger"/> later (a process that left the group, with setsid say, may outlive the child).
    /// </remarks>
    /// <exception cref="ProcessStartException">Through the task: the command was not found or spawning failed.</exception>
    public static Task<ProcessResult> RunAsync(
        ProcessSpec spec,
        Action<string> onStdoutLine,
        Action<string> onStderrLine,
        CancellationToken cancellationToken,
        TimeSpan? killGrace = null,
        OutputLimits? stdoutLimits = null,
        OutputLimits? stderrLimits = null) =>
        RunAsync(spec, onStdoutLine, onStderrLine, null, cancellationToken, killGrace, stdoutLimits, stderrLimits);

    /// <summary>The same, the child started by <paramref name="spawner"/> when one is given (see <see cref="ProcessSpawner"/>).</summary>
    internal static Task<ProcessResult> RunAsync(
        ProcessSpec spec,
        Action<string> onStdoutLine,
        Action<string> onStderrLine,
        ProcessSpawner? spawner,
        CancellationToken cancellationToken,
        TimeSpan? killGrace = null,
        OutputLimits? stdoutLimits = null,
        OutputLimits? stderrLimits = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(onStdoutLine);
        ArgumentNullException.ThrowIfNull(onStderrLine);
        Validate(spec);
        var grace = killGrace ?? DefaultKillGrace;
        if (grace < TimeSpan.Zero && grace != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(killGrace), killGrace, "The kill grace must not be negative.");
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("ChildProcess relies on Linux process APIs.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromResult(new ProcessResult(-1, null, TimeSpan.Zero, TimeSpan.Zero, 0, TimeSpan.Zero, Cancelled: true, ProcessId: 0));
        }

        try
        {
            var executable = ResolveExecutable(spec);
            Interlocked.Increment(ref s_started);
            return ChildRun.StartAsync(executable, spec, onStdoutLine, onStderrLine, stdoutLimits ?? OutputLimits.LinesOnly,
                stderrLimits ?? OutputLimits.LinesOnly, grace, spawner, cancellationToken);
        }
        catch (ProcessStartException ex)
        {
            return Task.FromException<ProcessResult>(ex);
        }
    }

    /// <summary>
    /// Resolves a command name on a PATH string, returning the executable's path or null when not found.
    /// Names containing '/' are checked as paths (relative ones against the current directory); empty PATH
    /// entries are skipped rather than meaning the current directory.
    /// </summary>
    public static string? ResolveOnPath(string name, string? pathVariable)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return Resolve(name, pathVariable, Environment.CurrentDirectory);
    }

    private static string? Resolve(string name, string? pathVariable, string baseDirectory)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            var candidate = Anchor(name, baseDirectory);
            return IsExecutableFile(candidate) ? candidate : null;
        }

        if (string.IsNullOrEmpty(pathVariable))
        {
            return null;
        }

        foreach (var directory in pathVariable.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Join(Anchor(directory, baseDirectory), name);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    // Relative names resolve against the child's working directory, as exec after its chdir would.
    private static string ResolveExecutable(ProcessSpec spec)
    {
        // An absolute name found once (every command stage's /bin/sh) is not looked up again: an lstat, a stat and an access
        // per command (strace of 500 no-op items). One that went since fails the spawn, and SpawnFailed says it as this does.
        if (Path.IsPathRooted(spec.FileName) && s_absoluteFound.ContainsKey(spec.FileName)) return spec.FileName;
        // The current directory (a getcwd) only when the working directory is relative.
        var baseDirectory = Path.IsPathRooted(spec.WorkingDirectory) ? spec.WorkingDirectory : Anchor(spec.WorkingDirectory, Environment.CurrentDirectory);
        if (spec.FileName.Contains('/', StringComparison.Ordinal))
        {
            var found = Resolve(spec.FileName, null, baseDirectory) ?? throw NotFound(spec.FileName, Anchor(spec.FileName, baseDirectory));
            if (Path.IsPathRooted(spec.FileName)) s_absoluteFound.TryAdd(spec.FileName, 0);
            return found;
        }

        var path = spec.Environment.TryGetValue("PATH", out var childPath)
            ? childPath
            : Environment.GetEnvironmentVariable("PATH") ?? FallbackPath;
        return Resolve(spec.FileName, path, baseDirectory)
            ?? throw new ProcessStartException($"Command '{spec.FileName}' was not found: it is not on PATH (searched PATH='{path}').");
    }

    private static ProcessStartException NotFound(string name, string path) =>
        new($"Command '{name}' was not found: '{path}' does not exist or is not an executable file.");

    /// <summary>
    /// The error of a spawn that failed with <paramref name="error"/> because <paramref name="executable"/>, an absolute name
    /// found earlier, is gone or no longer executable: the same words as when it is not found before the spawn; null when
    /// the executable is still there (the failure has another cause).
    /// </summary>
    internal static ProcessStartException? Vanished(string executable, int error)
    {
        if (error is not (LibC.Enoent or LibC.EAcces or LibC.Enotdir) || !s_absoluteFound.TryRemove(executable, out _) || IsExecutableFile(executable)) return null;
        return NotFound(executable, executable);
    }

    private static string Anchor(string path, string baseDirectory) =>
        path.Length == 0 ? baseDirectory : Path.IsPathRooted(path) ? path : Path.Join(baseDirectory, path);

    // File.Exists rules out directories, which access(X_OK) would accept.
    private static bool IsExecutableFile(string path) => File.Exists(path) && LibC.Access(path, LibC.XOk) == 0;

    private static void Validate(ProcessSpec spec)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec.FileName, nameof(spec));
        ArgumentNullException.ThrowIfNull(spec.Arguments, nameof(spec));
        ArgumentNullException.ThrowIfNull(spec.WorkingDirectory, nameof(spec));
        ArgumentNullException.ThrowIfNull(spec.Environment, nameof(spec));
        if (HasNul(spec.FileName) || HasNul(spec.WorkingDirectory))
        {
            throw new ArgumentException("FileName and WorkingDirectory must not contain NUL characters.", nameof(spec));
        }

        foreach (var argument in spec.Arguments)
        {
            ArgumentNullException.ThrowIfNull(argument, nameof(spec));
            if (HasNul(argument))
            {
                throw new ArgumentException("Arguments must not contain NUL characters.", nameof(spec));
            }
        }

        // A shared environment was checked once when it was made.
        var variables = spec.Environment is LayeredEnvironment { Shared.Valid: true } layered ? layered.Set : spec.Environment;
        foreach (var (key, value) in variables)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Environment variable name '{key}' is empty or contains '='.", nameof(spec));
            }

            ArgumentNullException.ThrowIfNull(value, nameof(spec));
            if (HasNul(key) || HasNul(value))
            {
                throw new ArgumentException($"Environment variable '{key}' must not contain NUL characters.", nameof(spec));
            }
        }
    }

    /// <summary>Whether a variable can be passed to a child as it is: a name without '=', and no NUL anywhere.</summary>
    internal static bool IsValidVariable(string key, string? value) =>
        key.Length > 0 && !key.Contains('=', StringComparison.Ordinal) && value is not null && !HasNul(key) && !HasNul(value);

    // A NUL would silently truncate the native string.
    private static bool HasNul(string value) => value.Contains('\0', StringComparison.Ordinal);
}
