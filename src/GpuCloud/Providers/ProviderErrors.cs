namespace GpuCloud.Providers;

/// <summary>
/// A provider's error translation for its generated clients: every failure but the caller's cancellation becomes the
/// provider's <see cref="GpuCloudException"/>, and a 2xx answer the generated client did not expect is told apart from
/// a failure. Stateless; <see cref="ProviderClient{TClient}"/> brings the clock.
/// </summary>
/// <param name="translate">
/// The provider's translation of a failed call, dated on the given clock; <see langword="null"/> means "rethrow as is".
/// </param>
/// <param name="statusOf">The HTTP status a generated client's exception carries, or <see langword="null"/> for any other exception.</param>
internal sealed class ProviderErrors(Func<Exception, TimeProvider, CancellationToken, GpuCloudException?> translate, Func<Exception, int?> statusOf)
{
    /// <summary>The translation of <paramref name="ex"/>, <see langword="null"/> for the caller's own cancellation.</summary>
    public GpuCloudException? Translate(Exception ex, TimeProvider time, CancellationToken ct) => translate(ex, time, ct);

    /// <summary>A success status the generated client threw on (e.g. 200 for a documented 204).</summary>
    public bool IsSuccess(Exception ex) => statusOf(ex) is >= 200 and < 300;

    /// <summary>A success whose body could not be read as a whole: worth a second read item by item.</summary>
    public bool IsUnreadable(Exception ex) => IsSuccess(ex) && ex.InnerException is Newtonsoft.Json.JsonException;
}
