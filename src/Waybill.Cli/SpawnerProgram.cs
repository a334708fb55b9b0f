using Waybill.Core.Processes;

namespace Waybill.Cli;

/// <summary>
/// Names this run's process spawner (<see cref="SpawnerServer"/>): the native waybill-spawner beside a native waybill
/// (./waybill builds both; it starts at a peak RSS of about 3 MB), else this program itself in its spawner mode.
/// </summary>
internal static class SpawnerProgram
{
    public static void Configure()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessPath is not { } program) return;
        var native = Path.Combine(AppContext.BaseDirectory, "waybill-spawner");
        var dll = Path.Combine(AppContext.BaseDirectory, "waybill.dll");
        if (File.Exists(native) && !File.Exists(native + ".dll"))
            MeasuredProcess.UseSpawner(native, [SpawnerServer.Argument]);
        // On the .NET runtime (`dotnet waybill.dll`) the process is dotnet, and the spawner is the same dll.
        else if (Path.GetFileNameWithoutExtension(program) == "dotnet" && File.Exists(dll))
            MeasuredProcess.UseSpawner(program, [dll, SpawnerServer.Argument]);
        else
            MeasuredProcess.UseSpawner(program, [SpawnerServer.Argument]);
    }
}
