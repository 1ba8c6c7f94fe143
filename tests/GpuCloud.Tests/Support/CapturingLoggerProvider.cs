using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace GpuCloud.Tests.Support;

/// <summary>One captured log entry: everything a log sink could ever write out.</summary>
public sealed record CapturedLog(string Category, LogLevel Level, EventId EventId, string Message,
    IReadOnlyList<KeyValuePair<string, object?>> State, string? Exception, IReadOnlyList<string> Scopes)
{
    /// <summary>A structured value by name (e.g. <c>Attempt</c>), or null.</summary>
    public object? Value(string name) => State.FirstOrDefault(kv => kv.Key == name).Value;

    /// <summary>Every piece of text of this entry: category, message, each state value, scopes and the exception.</summary>
    public IEnumerable<string> Texts()
    {
        yield return Category;
        yield return Message;
        foreach (var (key, value) in State) yield return $"{key}={value}";
        foreach (var scope in Scopes) yield return scope;
        if (Exception is not null) yield return Exception;
    }

    public override string ToString() => $"{Level} {Category}[{EventId.Id}] {Message}";
}

/// <summary>
/// An in-memory <see cref="ILoggerProvider"/> (and <see cref="ILoggerFactory"/>) that keeps every entry at every
/// level, Trace included: the formatted message, the structured state values, the scopes and the exception's ToString.
/// </summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<CapturedLog> _entries = new();
    private readonly AsyncLocal<ImmutableStack> _scopes = new();

    public IReadOnlyList<CapturedLog> Entries => _entries.ToArray();

    /// <summary>All text of all entries.</summary>
    public IEnumerable<string> AllTexts => Entries.SelectMany(e => e.Texts());

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    private sealed class ImmutableStack(string value, ImmutableStack? next)
    {
        public string Value { get; } = value;

        public ImmutableStack? Next { get; } = next;
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable BeginScope<TState>(TState state) where TState : notnull
        {
            var previous = owner._scopes.Value;
            var text = state is IEnumerable<KeyValuePair<string, object?>> values
                ? state + " {" + string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value}")) + "}"
                : state.ToString() ?? "";
            owner._scopes.Value = new ImmutableStack(text, previous);
            return new Pop(owner, previous);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> kvs ? kvs.ToArray() : [];
            var scopes = new List<string>();
            for (var s = owner._scopes.Value; s is not null; s = s.Next) scopes.Add(s.Value);
            owner._entries.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), values, exception?.ToString(), scopes));
        }
    }

    private sealed class Pop(CapturingLoggerProvider owner, ImmutableStack? previous) : IDisposable
    {
        public void Dispose() => owner._scopes.Value = previous!;
    }
}
