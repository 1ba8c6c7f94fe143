using GpuCloud.Cli;

var output = new TolerantWriter(Console.Out);
var error = new TolerantWriter(Console.Error);
using var interrupts = Interrupts.Register(error);
var io = new CliIo(output, error, Environment.GetEnvironmentVariable, Console.IsOutputRedirected)
{
    Interrupts = interrupts,
    In = Console.In,
    InputIsTerminal = !Console.IsInputRedirected,
};
return await CliApp.RunAsync(args, io, interrupts.Token);
