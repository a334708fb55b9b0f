using System.Runtime.InteropServices;

namespace Waybill.Core.Processes;

/// <summary>
/// The messages between the engine (<see cref="ProcessSpawner"/>) and its spawner process (<see cref="SpawnerServer"/>),
/// on a Unix stream socket. The engine sends a <see cref="SpawnerRequest"/> header, for a spawn followed by its body
/// (NUL-terminated UTF-8: program path, working directory or "", then the argv and envp strings) with the child's stdout
/// and stderr attached (SCM_RIGHTS). The spawner answers with fixed-size <see cref="SpawnerReply"/> records: one Ready when
/// it starts, one Started or Failed per spawn, one Exited when that child has exited (left unreaped, so its pid and process
/// group stay reserved until the engine sends Release). A Started is held back up to 2 ms, and goes in one write with the
/// Exited of a child that ends sooner: the engine then wakes once for both.
/// </summary>
internal static class SpawnerProtocol
{
    public const int Spawn = 1;
    public const int Release = 2;

    public const int Ready = 1;
    public const int Started = 2;
    public const int Failed = 3;
    public const int Exited = 4;

    /// <summary>Descriptors a spawn request carries: the child's stdout and stderr.</summary>
    public const int DescriptorCount = 2;

    /// <summary>A spawn body larger than this is refused: four times the usual 2 MiB limit of argv and envp together.</summary>
    public const int MaxBodyBytes = 8 * 1024 * 1024;

    /// <summary>Room for the control message of a request; larger than two descriptors need, so extras are seen and closed.</summary>
    public const int ControlBytes = 64;
}

/// <summary>Header of a request to the spawner (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SpawnerRequest
{
    public int Kind;
    public int BodyLength;

    /// <summary>The engine's number for a spawn; the pid for a release.</summary>
    public long Id;
    public int ArgumentCount;
    public int EnvironmentCount;
}

/// <summary>A reply of the spawner (72 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SpawnerReply
{
    public int Kind;
    public int Pid;
    public long Id;

    /// <summary>Failed: the errno. Exited: the wait status (exit code in bits 8-15, or the signal in bits 0-6).</summary>
    public int Value;
    public int Reserved;
    public long UserMicroseconds;
    public long SystemMicroseconds;
    public long MaxRssKiB;

    /// <summary>
    /// The spawner's own peak RSS, the floor every child it spawns starts from: Exited, at least its peak when the child
    /// started, or, where the child's figure is below the peak last read, that peak.
    /// </summary>
    public long SpawnerPeakKiB;

    /// <summary>Exited: blocks of 512 bytes read from and written to storage (ru_inblock, ru_oublock).</summary>
    public long InBlocks;
    public long OutBlocks;
}
