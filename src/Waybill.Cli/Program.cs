using Waybill.Cli;
using Waybill.Core.Processes;

// The hidden mode in which this program serves a run as its process spawner, before anything else starts.
if (args is [SpawnerServer.Argument]) return SpawnerServer.Run();
SpawnerProgram.Configure();
return await WaybillCli.RunAsync(args, Console.Out, Console.Error);
