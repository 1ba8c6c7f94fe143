using GpuCloud.Cli;

using var interrupts = Interrupts.Register(Console.Error);
var io = new CliIo(Console.Out, Console.Error, Environment.GetEnvironmentVariable, Console.IsOutputRedirected)
{
    Interrupts = interrupts,
    In = Console.In,
    InputIsTerminal = !Console.IsInputRedirected,
};
return await CliApp.RunAsync(args, io, interrupts.Token);
