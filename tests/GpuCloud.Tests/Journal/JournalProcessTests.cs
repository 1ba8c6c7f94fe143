namespace GpuCloud.Tests.Journal;

/// <summary>
/// <see cref="JournalProcess.IsRunning"/>: the sweep decides from it whether a create's process may still own its instance,
/// so "running" must mean this very process (host, id and start time), and "unknown" a process on another host.
/// </summary>
public sealed class JournalProcessTests
{
    private static readonly JournalProcess Self = JournalProcess.Current;

    [Test]
    public void ThisProcess_IsRunning() => Assert.That(Self.IsRunning(), Is.True);

    [Test]
    public void TheHostNameIsComparedWithoutCase()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That((Self with { Host = Environment.MachineName.ToUpperInvariant() }).IsRunning(), Is.True);
            Assert.That((Self with { Host = Environment.MachineName.ToLowerInvariant() }).IsRunning(), Is.True);
        }
    }

    [Test]
    public void AProcessOnAnotherHost_CannotBeTold() =>
        Assert.That((Self with { Host = Environment.MachineName + "-elsewhere" }).IsRunning(), Is.Null);

    [TestCase(-2)]
    [TestCase(2)]
    [TestCase(1)]
    public void TheSameIdWithAnotherStartTime_IsAnotherProcess_SoNotRunning(int seconds) =>
        Assert.That((Self with { StartedAt = Self.StartedAt.AddSeconds(seconds) }).IsRunning(), Is.False,
            "a later process reusing the id is not the create's process");

    [Test]
    public void NoProcessWithThatId_IsNotRunning() =>
        Assert.That((Self with { Id = int.MaxValue }).IsRunning(), Is.False);
}
