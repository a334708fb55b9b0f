namespace Waybill.Core.Processes;

/// <summary>A child that a <see cref="ProcessSpawner"/> started for this engine.</summary>
internal sealed class SpawnedChild(ProcessSpawner spawner, string executable, string workingDirectory)
{
    private readonly TaskCompletionSource<(int Status, Rusage Usage)> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProcessSpawner Spawner { get; } = spawner;

    public string Executable { get; } = executable;

    public string WorkingDirectory { get; } = workingDirectory;

    public int Pid { get; set; }

    /// <summary>
    /// The spawner's peak RSS as its exit reply gives it: at least its peak when it started this child, the least peak the
    /// child can report (see <see cref="SpawnerReply.SpawnerPeakKiB"/>).
    /// </summary>
    public long SpawnerPeakBytes { get; set; }

    internal TaskCompletionSource<SpawnedChild> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once the child has exited (still unreaped, so its process group id stays reserved until
    /// <see cref="ProcessSpawner.Release"/>); faults with <see cref="ProcessLostException"/> when the spawner ended first.
    /// </summary>
    public Task<(int Status, Rusage Usage)> Exited => _exited.Task;

    internal void SetExited(int status, Rusage usage) => _exited.TrySetResult((status, usage));

    internal void SetLost(Exception reason) => _exited.TrySetException(reason);
}
