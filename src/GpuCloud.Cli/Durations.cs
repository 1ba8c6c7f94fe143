using System.CommandLine;
using System.Globalization;

namespace GpuCloud.Cli;

/// <summary>Durations as people type them: <c>90m</c>, <c>2h</c>, <c>1d</c>, <c>45s</c>, or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    /// <summary>The longest duration any option takes: an instance's maximum lifetime (the library's limit too).</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(366);

    /// <summary>The <c>--max-duration</c> of a command that creates an instance (<c>run</c>, <c>instances create</c>).</summary>
    public static Option<TimeSpan?> MaxDuration() =>
        Option("--max-duration", "How long the instance may run, e.g. 2h: recorded as its expiry; 'gpucloud instances sweep --expired --yes' deletes it after.");

    /// <summary>
    /// An option taking a positive duration up to <paramref name="maximum"/> (default <see cref="Longest"/>): <c>90s</c>, <c>15m</c>,
    /// <c>2h</c>, <c>1d</c> or <c>hh:mm:ss</c>; anything else is a usage error naming the option and the maximum.
    /// </summary>
    public static Option<TimeSpan?> Option(string name, string description, TimeSpan? maximum = null)
    {
        var max = maximum ?? Longest;
        return new(name)
        {
            Description = $"{description} (90s, 15m, 2h, 1d or hh:mm:ss; at most {Text(max)})",
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
                if (!TryParse(text, out var value) || value <= TimeSpan.Zero)
                    result.AddError($"{name}: '{text}' is not a positive duration (e.g. 90s, 15m, 2h, 1d, or 01:30:00).");
                else if (value > max)
                    result.AddError($"{name}: '{text}' is longer than the maximum, {Text(max)}.");
                else return value;
                return null;
            },
        };
    }

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length < 2) return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        var unit = char.ToLowerInvariant(text[^1]);
        if (unit is 's' or 'm' or 'h' or 'd' && double.TryParse(text[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            && amount is > 0 and < 1e6)
        {
            value = unit switch { 's' => TimeSpan.FromSeconds(amount), 'm' => TimeSpan.FromMinutes(amount), 'h' => TimeSpan.FromHours(amount), _ => TimeSpan.FromDays(amount) };
            return true;
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A duration for a table: <c>45s</c>, <c>12m</c>, <c>3h05m</c>, <c>2d04h</c>.</summary>
    public static string Short(TimeSpan age) =>
        age.TotalMinutes < 1 ? $"{(int)age.TotalSeconds}s"
        : age.TotalHours < 1 ? $"{(int)age.TotalMinutes}m"
        : age.TotalDays < 1 ? $"{(int)age.TotalHours}h{age.Minutes:00}m"
        : $"{(int)age.TotalDays}d{age.Hours:00}h";

    /// <summary>A limit as it is typed: <c>366d</c>, <c>2h</c>, <c>90s</c> (the largest whole unit).</summary>
    public static string Text(TimeSpan limit) =>
        limit.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)limit.TotalDays}d"
        : limit.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)limit.TotalHours}h"
        : limit.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{(long)limit.TotalMinutes}m"
        : $"{(long)limit.TotalSeconds}s";
}
