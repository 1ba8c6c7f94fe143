using System.CommandLine;

namespace GpuCloud.Cli;

/// <summary>
/// <c>gpucloud completion bash|zsh|pwsh</c>: a script that completes commands, options and enum values by asking
/// <c>gpucloud</c> itself through System.CommandLine's <c>[suggest:position]</c> directive (as <c>dotnet-suggest</c> does),
/// so it never goes stale when a command or option is added.
/// </summary>
internal static class CompletionCommand
{
    public static Command Create(CliIo io)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        var command = new Command("completion", "Print a shell completion script: source <(gpucloud completion bash), or see the README.") { shell };
        command.SetAction(parse =>
        {
            io.Out.Write(Script(parse.GetValue(shell)!));
            return ExitCodes.Success;
        });
        return command;
    }

    internal static string Script(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        _ => PowerShell,
    };

    // The line after the program's name and the cursor's position in it are what the directive takes.
    private const string Bash = """
        # gpucloud completion for bash. Load it with: source <(gpucloud completion bash)
        _gpucloud_complete() {
            local line="" point=0
            if [[ "$COMP_LINE" == *" "* ]]; then
                line="${COMP_LINE#* }"
                point=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
                (( point < 0 )) && point=0
            fi
            local IFS=$'\n'
            COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${point}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _gpucloud_complete gpucloud

        """;

    private const string Zsh = """
        #compdef gpucloud
        # gpucloud completion for zsh. Load it with: source <(gpucloud completion zsh)
        _gpucloud() {
            local line="" point=0
            if [[ "$BUFFER" == *" "* ]]; then
                line="${BUFFER#* }"
                point=$(( CURSOR - ${#BUFFER} + ${#line} ))
                (( point < 0 )) && point=0
            fi
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${point}]" "${line}" 2>/dev/null)}")
            compadd -a candidates
        }
        if (( $+functions[compdef] )); then compdef _gpucloud gpucloud; fi

        """;

    private const string PowerShell = """
        # gpucloud completion for PowerShell. Load it with: gpucloud completion pwsh | Out-String | Invoke-Expression
        Register-ArgumentCompleter -Native -CommandName gpucloud -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $text = $commandAst.ToString()
            $program = $commandAst.CommandElements[0].Extent.Text
            $line = if ($text.Length -gt $program.Length) { $text.Substring($program.Length + 1) } else { '' }
            $point = [Math]::Max(0, $cursorPosition - $commandAst.Extent.StartOffset - $program.Length - 1)
            if ($point -gt $line.Length) { $line = $line.PadRight($point) }
            & $program "[suggest:$point]" "$line" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;
}
