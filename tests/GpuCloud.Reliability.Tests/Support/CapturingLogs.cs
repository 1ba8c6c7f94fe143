using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GpuCloud.Reliability.Tests.Support;

/// <summary>One piece of text a log sink could write: the formatted line, one structured value, a scope or an exception.</summary>
public sealed record LogText(string Category, int EventId, string Part, string Text)
{
    public override string ToString() => $"{Category}[{EventId}] {Part}: {Text}";
}

/// <summary>
/// An in-memory <see cref="ILoggerProvider"/> and <see cref="ILoggerFactory"/> that keeps every entry at every level
/// (Trace included) as all the text a sink could write: the formatted message (what a text sink writes), each structured
/// value (what a structured sink such as Serilog or OpenTelemetry writes), the scopes and the exception's ToString().
/// </summary>
public sealed class CapturingLogs : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<LogText> _texts = new();
    private readonly AsyncLocal<string[]> _scopes = new();
    private int _entries;

    public int Entries => Volatile.Read(ref _entries);

    /// <summary>Called with every formatted line as it is logged (e.g. to signal a test that an attempt was answered).</summary>
    public Action<string>? OnMessage { get; set; }

    public IReadOnlyList<LogText> All => _texts.ToArray();

    public IReadOnlyList<string> Texts => _texts.Select(t => t.Text).ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    /// <summary>A structured value as text; collections (e.g. header values) item by item, so nothing hides behind a type name.</summary>
    private static string Flatten(object? value) => value switch
    {
        null => "",
        string s => s,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Flatten)) + "]",
        _ => value.ToString() ?? "",
    };

    private sealed class Logger(CapturingLogs owner, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var previous = owner._scopes.Value ?? [];
            var text = state is IEnumerable<KeyValuePair<string, object?>> values
                ? state + " " + string.Join(", ", values.Select(kv => $"{kv.Key}={Flatten(kv.Value)}"))
                : state.ToString() ?? "";
            owner._scopes.Value = [.. previous, text];
            return new Pop(owner, previous);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref owner._entries);
            void Add(string part, string text) => owner._texts.Enqueue(new LogText(category, eventId.Id, part, text));
            var message = $"{logLevel} {category}[{eventId.Id}:{eventId.Name}] {formatter(state, exception)}";
            Add("message", message);
            owner.OnMessage?.Invoke(message);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (key, value) in values) Add("state", $"{key}={Flatten(value)}");
            foreach (var scope in owner._scopes.Value ?? []) Add("scope", scope);
            if (exception is not null) Add("exception", exception.ToString());
        }
    }

    private sealed class Pop(CapturingLogs owner, string[] previous) : IDisposable
    {
        public void Dispose() => owner._scopes.Value = previous;
    }
}
