namespace GpuCloud;

/// <summary>The lifecycle of an instance, normalized across providers. The provider's own value is in <see cref="GpuInstance.ProviderState"/>.</summary>
public enum InstanceState
{
    /// <summary>The provider reported a state this library does not know. Never assumed to be <see cref="Provisioning"/>.</summary>
    Unknown = 0,

    /// <summary>Being created or started (Fluence <c>INITIALIZED</c>; Fluidstack <c>creating</c>, <c>starting</c>).</summary>
    Provisioning,

    /// <summary>Running (Fluence <c>ACTIVE</c>; Fluidstack <c>running</c>). See <see cref="GpuInstance.IsReady"/> for reachability.</summary>
    Running,

    /// <summary>Being stopped (Fluidstack <c>stopping</c>).</summary>
    Stopping,

    /// <summary>Stopped; may be started again (Fluidstack <c>stopped</c>).</summary>
    Stopped,

    /// <summary>Being deleted (Fluidstack <c>deleting</c>).</summary>
    Terminating,

    /// <summary>Gone (Fluence <c>ENDED</c>; a Fluidstack instance that no longer exists).</summary>
    Terminated,

    /// <summary>Failed (Fluence <c>FAILED</c>; Fluidstack <c>error</c>, <c>out-of-stock</c>). See <see cref="GpuInstance.FailureReason"/>.</summary>
    Failed,
}
