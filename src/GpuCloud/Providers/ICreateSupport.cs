namespace GpuCloud.Providers;

/// <summary>
/// What a built-in provider gives the create path so that, when a create's answer is lost, the instance it made can
/// be told apart from older instances with the same name (a name is not an identity on any provider).
/// A provider without this interface gets the same safety from a list of its instances taken before the create.
/// </summary>
internal interface ICreateSupport
{
    /// <summary>
    /// Throws what <see cref="IGpuCloudProvider.CreateInstanceAsync"/> would throw for a request it refuses before sending,
    /// without sending anything: a bad request must fail before even the list taken ahead of the create.
    /// </summary>
    /// <param name="request">The request.</param>
    void ValidateCreate(CreateInstanceRequest request);

    /// <summary>
    /// The request with <paramref name="marks"/> stored where the provider keeps them on the instance (tags), or
    /// <see langword="null"/> when the provider keeps no such marks.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="marks">The create's token, owner and expiry.</param>
    CreateInstanceRequest? MarkCreate(CreateInstanceRequest request, CreateMarks marks);

    /// <summary>The marks a create left on <paramref name="instance"/>, when it carries them.</summary>
    /// <param name="instance">An instance as listed.</param>
    CreateMarks? MarksOf(GpuInstance instance);
}

/// <summary>What a create leaves on the instance where the provider keeps marks.</summary>
/// <param name="Token">Unique to the create call.</param>
/// <param name="Owner">Who created it (<see cref="GpuCloudOptions.Owner"/>).</param>
/// <param name="ExpiresAt">When it should be deleted, if the request set a maximum duration.</param>
internal sealed record CreateMarks(string Token, string Owner, DateTimeOffset? ExpiresAt);
