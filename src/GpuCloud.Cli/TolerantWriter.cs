using System.Text;

namespace GpuCloud.Cli;

/// <summary>
/// Console output that cannot fail: after SIGHUP the terminal is gone and a write raises an I/O error, which must never
/// stop the command from deleting what it created. What cannot be written is dropped.
/// </summary>
internal sealed class TolerantWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override IFormatProvider FormatProvider => inner.FormatProvider;

    public override string NewLine
    {
        get => inner.NewLine;
#pragma warning disable CS8765 // matches TextWriter.NewLine's own nullability
        set => inner.NewLine = value;
#pragma warning restore CS8765
    }

    public override void Write(char value) => Try(() => inner.Write(value));

    public override void Write(string? value) => Try(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Try(() => inner.Write(buffer, index, count));

    public override void WriteLine() => Try(inner.WriteLine);

    public override void WriteLine(string? value) => Try(() => inner.WriteLine(value));

    public override void Flush() => Try(inner.Flush);

    private static void Try(Action write)
    {
        try
        {
            write();
        }
        catch (IOException)
        {
        }
    }
}
