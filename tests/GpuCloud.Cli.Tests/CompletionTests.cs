using System.Diagnostics;

namespace GpuCloud.Cli.Tests;

/// <summary>
/// <c>gpucloud completion bash|zsh|pwsh</c>: the scripts ask <c>gpucloud</c> itself (System.CommandLine's suggest directive)
/// for commands, options and enum values. The bash script is run for real against the built CLI.
/// </summary>
public sealed class CompletionTests
{
    [TestCase("", 0, new[] { "plans", "instances", "keys", "run", "completion", "--sandbox", "--output", "--wide" })]
    [TestCase("instances ", 10, new[] { "list", "get", "create", "delete", "start", "stop", "wait" })]
    [TestCase("plans --workload ", 17, new[] { "Container", "VirtualMachine", "BareMetal" })]
    [TestCase("instances wait --state ", 23, new[] { "Running", "Stopped", "Terminated" })]
    [TestCase("completion ", 11, new[] { "bash", "zsh", "pwsh" })]
    public async Task TheSuggestDirective_CompletesCommandsOptionsAndEnumValues(string line, int point, string[] expected)
    {
        var result = await Cli.RunAsync($"[suggest:{point}]", line);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.SupersetOf(expected));
    }

    [TestCase("bash", "complete -o default -F _gpucloud_complete gpucloud")]
    [TestCase("zsh", "compdef _gpucloud gpucloud")]
    [TestCase("pwsh", "Register-ArgumentCompleter -Native -CommandName gpucloud")]
    public async Task EachShell_GetsItsScript(string shell, string registration)
    {
        var result = await Cli.RunAsync("completion", shell);

        Assert.That(result.ExitCode, Is.Zero, result.Error);
        Assert.That(result.Out, Does.Contain(registration).And.Contain("[suggest:"));
    }

    [Test]
    public async Task AnUnknownShell_IsAUsageError()
    {
        var result = await Cli.RunAsync("completion", "fish");
        Assert.That(result.ExitCode, Is.EqualTo(2));
        Assert.That(result.Error, Does.StartWith("error: gpucloud: InvalidRequest: Argument 'fish' not recognized."));
    }

    [TestCase("gpucloud ins", "instances")]
    [TestCase("gpucloud plans --workload V", "VirtualMachine")]
    [TestCase("gpucloud instances wait --state R", "Running")]
    [TestCase("gpucloud instances ", "create delete get list start stop sweep wait")]
    public async Task TheBashScript_CompletesAgainstTheRealCli(string typed, string expected)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/bash")) Assert.Ignore("bash is not installed here");
        var bin = Directory.CreateTempSubdirectory("gpucloud-completion").FullName;
        var wrapper = Path.Combine(bin, "gpucloud");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet '{typeof(CliApp).Assembly.Location}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var script = Path.Combine(bin, "completion.bash");
        await File.WriteAllTextAsync(script, (await Cli.RunAsync("completion", "bash")).Out);

        // What bash sets before calling a completion function, for a line typed up to its end.
        var driver = $$"""
            source '{{script}}'
            COMP_LINE='{{typed}}'; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$COMP_LINE"; [[ "$COMP_LINE" == *" " ]] && COMP_WORDS+=("")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _gpucloud_complete
            echo "${COMPREPLY[*]}"
            """;
        var start = new ProcessStartInfo("/bin/bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(start)!;
        await bash.StandardInput.WriteAsync(driver);
        bash.StandardInput.Close();
        var output = await bash.StandardOutput.ReadToEndAsync();
        await bash.WaitForExitAsync();

        Assert.That(output.Trim().Split(' ').Where(w => !w.StartsWith('-') && !w.StartsWith('/')), Is.EqualTo(expected.Split(' ')), output);
    }
}
