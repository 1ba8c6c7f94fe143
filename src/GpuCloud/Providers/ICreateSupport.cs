using GpuCloud.Instances;

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
    /// The request with <paramref name="token"/> stored where the provider keeps it on the instance (a tag), or
    /// <see langword="null"/> when the provider keeps no such marks.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="token">A token unique to this create call.</param>
    CreateInstanceRequest? MarkCreate(CreateInstanceRequest request, string token);

    /// <summary>The token of the create call that made <paramref name="instance"/>, when it carries one.</summary>
    /// <param name="instance">An instance as listed.</param>
    string? CreateTokenOf(GpuInstance instance);
}
