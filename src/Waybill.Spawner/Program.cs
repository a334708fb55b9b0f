using Waybill.Core.Processes;

// Only ever started by the engine, with descriptor 3 its end of the socket (see SpawnerServer).
return args is [SpawnerServer.Argument] ? SpawnerServer.Run() : 2;
