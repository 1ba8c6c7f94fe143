namespace GpuCloud;

/// <summary>What went wrong, as a caller can act on it. Carried by <see cref="GpuCloudException.Code"/>.</summary>
public enum GpuCloudErrorCode
{
    /// <summary>Nothing more specific is known.</summary>
    Unknown = 0,

    /// <summary>The credentials were missing, malformed or rejected (HTTP 401, or a 403 that says the key is unknown).</summary>
    Unauthorized,

    /// <summary>The credentials are valid but lack permission for this operation (HTTP 403).</summary>
    Forbidden,

    /// <summary>The instance, key or plan does not exist (HTTP 404).</summary>
    NotFound,

    /// <summary>The request conflicts with the current state, e.g. a duplicate key or starting a running instance (HTTP 409).</summary>
    Conflict,

    /// <summary>The request is invalid; <see cref="GpuCloudException.Field"/> names the field when known (HTTP 400/422, or local validation).</summary>
    InvalidRequest,

    /// <summary>The account balance does not cover the operation.</summary>
    InsufficientFunds,

    /// <summary>No capacity for the plan right now (an out-of-stock answer, a plan no longer available).</summary>
    CapacityUnavailable,

    /// <summary>Too many requests (HTTP 429); see <see cref="GpuCloudException.RetryAfter"/>.</summary>
    RateLimited,

    /// <summary>The provider does not support this operation (e.g. stopping an instance on a provider that cannot, HTTP 501).</summary>
    NotSupported,

    /// <summary>The provider failed or could not be reached (HTTP 5xx, connection errors).</summary>
    ProviderUnavailable,

    /// <summary>The operation did not finish within its time limit.</summary>
    Timeout,

    /// <summary>The provider answered with something that could not be understood (malformed JSON, unexpected shape).</summary>
    InvalidResponse,

    /// <summary>The instance journal (<see cref="GpuCloudOptions.Journal"/>) could not be opened, read or written; the message names it.</summary>
    JournalUnavailable,
}
