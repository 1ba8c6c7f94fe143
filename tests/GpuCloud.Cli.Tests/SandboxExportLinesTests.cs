using System.Diagnostics;
using GpuCloud.Sandbox;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// Issue 25, item 7: the standalone sandbox prints `export` lines a user pastes into a shell; pasted, they point the
/// CLI at the sandbox with both providers accepting the credentials.
/// </summary>
public sealed class SandboxExportLinesTests
{
    [Test]
    public async Task ExportLines_PastedIntoAShell_PointTheCliAtTheSandbox()
    {
        if (!File.Exists("/bin/sh")) Assert.Ignore("needs a POSIX shell");
        await using var server = await SandboxServer.StartAsync(new SandboxOptions());
        var lines = SandboxEnvironment.ExportLines(server);

        // What a shell makes of them: each variable as the shell sees it after the paste.
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        using var shell = Process.Start(start)!;
        await shell.StandardInput.WriteLineAsync(string.Join('\n', lines));
        foreach (var (name, _) in SandboxEnvironment.Variables(server))
            await shell.StandardInput.WriteLineAsync($"printf '%s=%s\\n' {name} \"${name}\"");
        shell.StandardInput.Close();
        var output = await shell.StandardOutput.ReadToEndAsync();
        await shell.WaitForExitAsync();
        var environment = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

        var check = await Cli.RunAsync(["check"], environment: environment);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lines, Has.All.StartWith("export "));
            Assert.That(environment["FLUENCE_API_KEY"], Is.EqualTo(server.FluenceApiKey));
            Assert.That(check.ExitCode, Is.Zero, check.Out + check.Error);
            Assert.That(check.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2).And.All.Contain("credentials accepted"));
        }
    }
}
