using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace GpuCloud.Cli;

/// <summary>
/// Checks on option values that run while the command line is parsed, so a bad value is a usage error naming the option
/// before any session is opened or request sent. The providers' own rules are checked again by the library before a create.
/// </summary>
internal static partial class OptionRules
{
    // What every provider takes as an instance name (the strictest documented rule: 1-25 lower-case letters, digits and
    // hyphens): 'run' may land on any provider, so its name must suit them all.
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,23}[a-z0-9])?$")]
    private static partial Regex PortableName();

    // What some provider takes: letters, digits, '-', '_', '.', 1-63, alphanumeric at both ends. A name for one provider
    // ('instances create') is checked against that provider's own rule by the library before the create is sent.
    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex AnyName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvironmentName();

    /// <summary>An instance name: valid on every provider (<paramref name="portable"/>), or on at least one.</summary>
    public static T Name<T>(T option, bool portable) where T : Option<string?>
    {
        option.Validators.Add(result =>
        {
            if (One(result) is { } name && NameProblem(name, portable) is { } problem) result.AddError($"{option.Name}: {problem}");
        });
        return option;
    }

    /// <summary>The <c>--name</c> of a command that creates one instance, on whichever provider it lands (<c>run</c>, <c>instances create</c>).</summary>
    public static Option<string?> InstanceName() =>
        Name(new Option<string?>("--name") { Description = "The instance name (valid on every provider); default gpucloud-<random>." }, portable: true);

    /// <summary>Why <paramref name="name"/> is not a name every provider (<paramref name="portable"/>), or some provider, takes; null when it is.</summary>
    public static string? NameProblem(string name, bool portable) =>
        portable && !PortableName().IsMatch(name)
            ? $"'{Printable(name)}' is not a name every provider takes: use 1-25 lower-case letters, digits and hyphens, not starting or ending with a hyphen."
        : !portable && !AnyName().IsMatch(name)
            ? $"'{Printable(name)}' is not a valid name: use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit."
        : null;

    /// <summary>An image reference: 1-255 characters without spaces or control characters; for a container image the repository part is lower case (as registries require).</summary>
    public static T Image<T>(T option, bool container) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (One(result) is not { } image) return;
            if (image.Length is 0 or > 255 || image.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                result.AddError($"{option.Name}: '{Printable(image)}' is not an image: 1-255 characters without spaces.");
            else if (container && Repository(image) is var repository && repository != repository.ToLowerInvariant())
                result.AddError($"{option.Name}: '{Printable(image)}': the repository part of an image is lower case.");
        });
        return option;
    }

    // "ghcr.io/org/app:V1" -> "ghcr.io/org/app": a tag or digest may have capitals, the repository may not.
    private static string Repository(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var repository = at >= 0 ? image[..at] : image;
        var colon = repository.LastIndexOf(':');
        return colon > repository.LastIndexOf('/') ? repository[..colon] : repository;
    }

    /// <summary>TCP ports, each 1-65535.</summary>
    public static Option<int[]> Ports(Option<int[]> option)
    {
        option.Validators.Add(result =>
        {
            int[] ports;
            try
            {
                ports = result.GetValueOrDefault<int[]>() ?? [];
            }
            catch (InvalidOperationException)
            {
                return; // not a number: System.CommandLine says so
            }
            foreach (var port in ports)
            {
                if (port is < 1 or > 65535)
                {
                    result.AddError($"{option.Name}: {port} is not a port (1-65535).");
                    return;
                }
            }
        });
        return option;
    }

    /// <summary><c>KEY=VALUE</c> pairs; for environment variables the key is a variable name (letters, digits, '_', not starting with a digit).</summary>
    public static Option<string[]> Pairs(Option<string[]> option, bool environment)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Select(t => t.Value))
            {
                var eq = token.IndexOf('=', StringComparison.Ordinal);
                var problem = eq <= 0 ? "takes KEY=VALUE"
                    : environment && !EnvironmentName().IsMatch(token[..eq]) ? $"'{Printable(token[..eq])}' is not a variable name (letters, digits and '_', not starting with a digit)"
                    : token.Any(char.IsControl) ? "takes no control characters"
                    : null;
                if (problem is null) continue;
                result.AddError($"{option.Name}: '{Printable(token)}': {problem}.");
                return;
            }
        });
        return option;
    }

    /// <summary>Something like an id or a location: letters, digits and <c>-_.:/</c>, no <c>..</c>.</summary>
    public static T Identifier<T>(T option) where T : Option
    {
        option.Validators.Add(result =>
        {
            if (One(result) is not { } value) return;
            if (value.Length is 0 or > 255 || value.Contains("..", StringComparison.Ordinal)
                || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/' or ' ')))
                result.AddError($"{option.Name}: '{Printable(value)}' is not a valid value.");
        });
        return option;
    }

    /// <summary>Whole numbers from <paramref name="minimum"/> to <paramref name="maximum"/>.</summary>
    public static Option<int> Between(Option<int> option, int minimum, int maximum)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Count == 0 || result.Errors.Any()) return;
            int value;
            try
            {
                value = result.GetValueOrDefault<int>();
            }
            catch (InvalidOperationException)
            {
                return; // not a number: System.CommandLine says so
            }
            if (value < minimum || value > maximum)
                result.AddError($"{option.Name}: must be {minimum} to {maximum}, not {result.Tokens[0].Value}.");
        });
        return option;
    }

    /// <summary>
    /// A yes/no option: <c>--x</c> alone is yes; <c>yes</c>, <c>no</c>, <c>true</c>, <c>false</c> (any case) say it; read it with
    /// <see cref="Value"/>. A string underneath: System.CommandLine takes the word after a bool option only when it is true or false.
    /// </summary>
    public static Option<string?> YesNo(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description + " (yes/no)", Arity = ArgumentArity.ZeroOrOne };
        option.Validators.Add(result =>
        {
            if (One(result) is { } text && Parse(text) is null) result.AddError($"{name}: '{Printable(text)}' is not yes, no, true or false.");
        });
        option.CompletionSources.Add("yes", "no");
        return option;
    }

    /// <summary>A <see cref="YesNo"/> option's value: null when not given.</summary>
    public static bool? Value(ParseResult parse, Option<string?> option) =>
        parse.GetResult(option) is not { Implicit: false } result ? null : result.Tokens.Count == 0 || Parse(result.Tokens[0].Value) == true;

    private static bool? Parse(string text) => text.ToLowerInvariant() switch
    {
        "yes" or "true" or "y" => true,
        "no" or "false" or "n" => false,
        _ => null,
    };

    private static string? One(OptionResult result) => result.Tokens.Count == 0 ? null : result.Tokens[0].Value;

    internal static string Printable(string text) => new(text.Select(c => char.IsControl(c) ? '?' : c).Take(80).ToArray());
}
