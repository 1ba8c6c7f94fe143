using GpuCloud.Cli;

return await CliApp.RunAsync(args, new CliIo(Console.Out, Console.Error, Environment.GetEnvironmentVariable, Console.IsOutputRedirected));
