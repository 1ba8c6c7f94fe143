namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// Base of the tests that drive the real HTTP chain: each test gets a <see cref="SecretWatch"/>, and after every test
/// all it captured (log lines at every level, structured values, exception messages and ToString) is checked for
/// secrets, so the secret check covers every failure path this suite provokes.
/// </summary>
public abstract class PlumbingTest
{
    protected SecretWatch Watch { get; private set; } = null!;

    [SetUp]
    public void StartWatch() => Watch = new SecretWatch();

    [TearDown]
    public void NoSecretLeaked() => Watch.AssertClean();

    /// <summary>Awaits <paramref name="task"/>, which must fail with <typeparamref name="T"/> (or a subclass); the exception is checked for secrets.</summary>
    protected async Task<T> FailsWith<T>(Task task) where T : Exception
    {
        try
        {
            await HangGuard.WithinAsync(task, "the call expected to fail with " + typeof(T).Name).ConfigureAwait(false);
        }
        catch (T expected)
        {
            return Watch.Saw(expected);
        }
        catch (Exception other) when (other is not AssertionException)
        {
            Watch.Saw(other);
            Assert.Fail($"Expected {typeof(T).Name}, got {other}");
        }
        Assert.Fail($"Expected {typeof(T).Name}, but the call succeeded.");
        return null!;
    }

    /// <summary>Runs <paramref name="call"/>, which must throw <typeparamref name="T"/> synchronously or asynchronously.</summary>
    protected Task<T> FailsWith<T>(Func<Task> call) where T : Exception
    {
        Task task;
        try
        {
            task = call();
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }
        return FailsWith<T>(task);
    }

    /// <summary>A generous real-time guard that turns a hang into a failure; never a timing threshold.</summary>
    protected static Task<T> Guard<T>(Task<T> task) => HangGuard.WithinAsync(task, "the guarded call");

    /// <inheritdoc cref="Guard{T}(Task{T})"/>
    protected static Task Guard(Task task) => HangGuard.WithinAsync(task, "the guarded call");
}
