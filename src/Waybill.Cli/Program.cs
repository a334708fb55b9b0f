using Waybill.Cli;
using Waybill.Core.Processes;

// The hidden mode in which this program serves a run as its process spawner, before anything else starts.
if (args is [SpawnerServer.Argument]) return SpawnerServer.Run();
SpawnerProgram.Configure();
try
{
    return await WaybillCli.RunAsync(args, Console.Out, Console.Error);
}
finally
{
    // The spawner ends with the run, reaped, so that its commands' CPU time counts in the run's (GNU time, batch systems).
    MeasuredProcess.StopSpawner(TimeSpan.FromSeconds(2));
}
