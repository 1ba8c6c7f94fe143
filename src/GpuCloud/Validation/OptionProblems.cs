namespace GpuCloud;

/// <summary>
/// Collects every problem with a provider's settings, each naming its setting as the prefix (<c>Provider.</c> for the
/// constructor, <c>GpuCloud:Provider:</c> for configuration) plus the property name.
/// </summary>
/// <param name="prefix">What goes before each setting's name.</param>
internal sealed class OptionProblems(string prefix)
{
    private readonly List<ArgumentException> _problems = [];

    /// <summary>Runs a check that throws <see cref="ArgumentException"/> for a bad setting, given the setting's full name.</summary>
    public OptionProblems Check(string setting, Action<string> check)
    {
        try
        {
            check(prefix + setting);
        }
        catch (ArgumentException ex)
        {
            _problems.Add(ex);
        }
        return this;
    }

    /// <summary>Records "<c>{setting} {problem}</c>" unless <paramref name="ok"/>.</summary>
    public OptionProblems Require(bool ok, string setting, string problem)
    {
        if (!ok) _problems.Add(new ArgumentException($"{prefix}{setting} {problem}", prefix + setting));
        return this;
    }

    /// <summary>The problems found, in the order checked.</summary>
    public IReadOnlyList<ArgumentException> ToList() => _problems;
}
