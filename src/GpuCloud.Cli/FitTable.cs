using Spectre.Console;

namespace GpuCloud.Cli;

/// <summary>One column of a <see cref="FitTable"/>.</summary>
/// <param name="Header">The header text.</param>
/// <param name="Cell">The cell text for a row (one line).</param>
internal sealed record FitColumn<T>(string Header, Func<T, string> Cell)
{
    /// <summary>0: always shown; otherwise the columns with the highest number go first when the terminal is narrow.</summary>
    public int Priority { get; init; }

    /// <summary>When set, a long cell may be cut to this width (with an ellipsis) rather than drop a column or wrap a row.</summary>
    public int? MinWidth { get; init; }

    /// <summary>Only with <c>--wide</c>.</summary>
    public bool WideOnly { get; init; }

    /// <summary>Right-aligned (numbers).</summary>
    public bool Right { get; init; }
}

/// <summary>
/// A borderless table (as <c>docker ps</c> or <c>kubectl get</c> print them) that keeps one line per row: at the console's width
/// it leaves out optional columns and shortens the cut-able ones rather than wrap. With <c>wide</c> every column is shown in full.
/// </summary>
internal static class FitTable
{
    private const int Gap = 2;

    public static void Write<T>(IAnsiConsole console, IReadOnlyList<T> rows, IReadOnlyList<FitColumn<T>> columns, bool wide)
    {
        var shown = columns.Where(c => wide || !c.WideOnly).ToList();
        var cells = shown.Select(c => rows.Select(r => OneLine(c.Cell(r))).ToArray()).ToList();
        var natural = shown.Select((c, i) => cells[i].Append(c.Header).Max(s => s.Length)).ToList();
        var widths = natural.ToList();

        if (!wide)
        {
            var available = console.Profile.Width;
            int Floor(int i) => shown[i].MinWidth is { } min ? Math.Min(min, natural[i]) : natural[i];
            int Total(IEnumerable<int> w) => w.Sum() + Gap * (shown.Count - 1);
            while (Total(Enumerable.Range(0, shown.Count).Select(Floor)) > available)
            {
                var drop = Enumerable.Range(0, shown.Count).Where(i => shown[i].Priority > 0).OrderByDescending(i => shown[i].Priority).ThenByDescending(i => i)
                    .Cast<int?>().FirstOrDefault();
                if (drop is not { } d) break;
                shown.RemoveAt(d);
                cells.RemoveAt(d);
                natural.RemoveAt(d);
            }
            widths = Enumerable.Range(0, shown.Count).Select(Floor).ToList();
            // Whatever room is left goes to the shortened columns, left to right, up to what they need.
            var spare = available - Total(widths);
            for (var i = 0; i < shown.Count && spare > 0; i++)
            {
                var grow = Math.Min(spare, natural[i] - widths[i]);
                widths[i] += grow;
                spare -= grow;
            }
        }

        // Plain lines rather than a Spectre grid: no padding after the last column, so nothing trails a line when it is copied.
        string Line(Func<int, string> cell) => string.Join(new string(' ', Gap), Enumerable.Range(0, shown.Count).Select(i =>
        {
            var text = Cut(cell(i), widths[i]);
            return shown[i].Right ? text.PadLeft(widths[i]) : text.PadRight(widths[i]);
        })).TrimEnd();
        if (wide)
        {
            // Past the console's width on purpose: written as is, so the console does not wrap it (the terminal, or less -S, shows it).
            var writer = console.Profile.Out.Writer;
            writer.Write(Line(i => shown[i].Header) + "\n");
            for (var r = 0; r < rows.Count; r++) writer.Write(Line(i => cells[i][r]) + "\n");
            writer.Flush();
            return;
        }
        console.Write(new Text(Line(i => shown[i].Header) + "\n", new Style(decoration: Decoration.Bold)));
        for (var r = 0; r < rows.Count; r++)
            console.Write(new Text(Line(i => cells[i][r]) + "\n"));
    }

    /// <summary>Cuts to <paramref name="width"/> characters, the last one an ellipsis.</summary>
    public static string Cut(string text, int width) => text.Length <= width ? text : width <= 1 ? text[..width] : text[..(width - 1)] + "…";

    // A provider's name or location with a line break in it must not break the row.
    private static string OneLine(string text) => string.Create(text.Length, text, (span, t) =>
    {
        for (var i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? ' ' : t[i];
    });
}
