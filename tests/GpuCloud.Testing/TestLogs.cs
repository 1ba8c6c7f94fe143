using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace GpuCloud.Testing;

/// <summary>
/// The library's <see cref="FakeLogCollector"/> wired the ways the code under test takes a logger: as a provider
/// (for <c>AddLogging</c>) and as a factory (for constructors taking an <see cref="ILoggerFactory"/>), keeping every
/// level, Trace included.
/// </summary>
public sealed class TestLogs : IDisposable
{
    public TestLogs()
    {
        // The collector calls the sink with each record as it is logged; OnMessage may be set at any time.
        var options = new FakeLogCollectorOptions { OutputSink = line => OnMessage?.Invoke(line) };
        Collector = FakeLogCollector.Create(options);
        Provider = new FakeLoggerProvider(Collector);
        Factory = LoggerFactory.Create(b => b.AddProvider(Provider).SetMinimumLevel(LogLevel.Trace));
    }

    public FakeLogCollector Collector { get; }

    /// <summary>Called with every record, formatted, as it is logged (e.g. to signal a test that an attempt was answered).</summary>
    public Action<string>? OnMessage { get; set; }

    /// <summary>How many records so far.</summary>
    public int Entries => Collector.Count;

    /// <summary>Every piece of text of every record, each with what it is (see <see cref="LogRecordTexts.Parts"/>).</summary>
    public IReadOnlyList<LogText> All => Records.SelectMany(r => r.Parts()).ToArray();

    /// <summary>The text of <see cref="All"/>.</summary>
    public IReadOnlyList<string> Texts => All.Select(t => t.Text).ToArray();

    public FakeLoggerProvider Provider { get; }

    public ILoggerFactory Factory { get; }

    /// <summary>Every record so far, oldest first.</summary>
    public IReadOnlyList<FakeLogRecord> Records => Collector.GetSnapshot();

    /// <summary>All text of all records (see <see cref="LogRecordTexts.Texts"/>).</summary>
    public IEnumerable<string> AllTexts => Records.SelectMany(r => r.Texts());

    public ILogger CreateLogger(string category) => Factory.CreateLogger(category);

    public void Dispose()
    {
        Factory.Dispose();
        Provider.Dispose();
    }
}

/// <summary>One piece of text a log sink could write: the formatted line, one structured value, a scope or an exception.</summary>
public sealed record LogText(string Category, int EventId, string Part, string Text)
{
    public override string ToString() => $"{Category}[{EventId}] {Part}: {Text}";
}

/// <summary>Reading a <see cref="FakeLogRecord"/> the way a log sink would write it out.</summary>
public static class LogRecordTexts
{
    /// <summary>
    /// A structured value by name as the collector keeps it: text (numbers in the invariant culture, collections
    /// item by item), or null.
    /// </summary>
    public static string? Value(this FakeLogRecord record, string name) =>
        record.StructuredState?.FirstOrDefault(kv => kv.Key == name).Value;

    /// <summary>The text of each scope: its ToString and, for structured scopes, each value.</summary>
    public static IEnumerable<string> ScopeTexts(this FakeLogRecord record) => record.Scopes.Select(scope => scope switch
    {
        null => "",
        IEnumerable<KeyValuePair<string, object?>> values =>
            scope + " {" + string.Join(", ", values.Select(kv => $"{kv.Key}={Flatten(kv.Value)}")) + "}",
        _ => scope.ToString() ?? "",
    });

    /// <summary>Every piece of text of a record: category, message, each structured value, scopes and the exception's ToString().</summary>
    public static IEnumerable<string> Texts(this FakeLogRecord record)
    {
        if (record.Category is { } category) yield return category;
        yield return record.Message;
        foreach (var (key, value) in record.StructuredState ?? []) yield return $"{key}={value}";
        foreach (var scope in record.ScopeTexts()) yield return scope;
        if (record.Exception is not null) yield return record.Exception.ToString();
    }

    /// <summary>
    /// Each piece of text of a record with what it is: the line a text sink writes ("message"), each structured value
    /// (what a structured sink such as Serilog or OpenTelemetry writes, "state"), the scopes and the exception's ToString().
    /// </summary>
    public static IEnumerable<LogText> Parts(this FakeLogRecord record)
    {
        var category = record.Category ?? "";
        LogText Part(string part, string text) => new(category, record.Id.Id, part, text);
        yield return Part("message", $"{record.Level} {category}[{record.Id.Id}:{record.Id.Name}] {record.Message}");
        foreach (var (key, value) in record.StructuredState ?? []) yield return Part("state", $"{key}={value}");
        foreach (var scope in record.ScopeTexts()) yield return Part("scope", scope);
        if (record.Exception is not null) yield return Part("exception", record.Exception.ToString());
    }

    /// <summary>A value as text; collections item by item, so nothing hides behind a type name.</summary>
    public static string Flatten(object? value) => value switch
    {
        null => "",
        string s => s,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Flatten)) + "]",
        _ => value.ToString() ?? "",
    };
}
