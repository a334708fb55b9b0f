using Waybill.Cli;

return await WaybillCli.RunAsync(args, Console.Out, Console.Error);
