namespace GpuCloud.Tests.Plumbing;

/// <summary>
/// The documented defaults of <see cref="GpuCloudResilienceOptions"/>, and the edges of every range
/// <see cref="GpuCloudResilienceOptions.Validate"/> accepts: the last value in, the first value out, and the setting's
/// name in the error.
/// </summary>
public class ResilienceOptionsTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Test]
    public void Defaults_AreTheDocumentedOnes_AndValid()
    {
        var o = new GpuCloudResilienceOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(o.Enabled, Is.True);
            Assert.That(o.MaxRetries, Is.EqualTo(3));
            Assert.That(o.RetryBaseDelay, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(o.MaxRetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(o.AttemptTimeout, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(o.TotalTimeout, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(o.CircuitBreakerFailureRatio, Is.EqualTo(0.5));
            Assert.That(o.CircuitBreakerMinimumThroughput, Is.EqualTo(10));
            Assert.That(o.CircuitBreakerSamplingDuration, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(o.CircuitBreakerBreakDuration, Is.EqualTo(TimeSpan.FromSeconds(15)));
            Assert.That(o.Validate, Throws.Nothing);
        }
    }

    public static IEnumerable<TestCaseData> Accepted()
    {
        TestCaseData Case(string name, Action<GpuCloudResilienceOptions> set) => new TestCaseData(set).SetName($"Accepts_{name}");
        yield return Case("MaxRetries_0", o => o.MaxRetries = 0);
        yield return Case("MaxRetries_10", o => o.MaxRetries = 10);
        yield return Case("RetryBaseDelay_1_tick", o => o.RetryBaseDelay = Tick);
        yield return Case("RetryBaseDelay_a_day", o => o.RetryBaseDelay = Day);
        yield return Case("MaxRetryAfter_0", o => o.MaxRetryAfter = TimeSpan.Zero);
        yield return Case("MaxRetryAfter_a_day", o => o.MaxRetryAfter = Day);
        yield return Case("AttemptTimeout_10_ms", o => o.AttemptTimeout = TimeSpan.FromMilliseconds(10));
        yield return Case("AttemptTimeout_a_day", o => o.AttemptTimeout = Day);
        yield return Case("TotalTimeout_10_ms", o => o.TotalTimeout = TimeSpan.FromMilliseconds(10));
        yield return Case("TotalTimeout_a_day", o => o.TotalTimeout = Day);
        yield return Case("FailureRatio_1", o => o.CircuitBreakerFailureRatio = 1);
        yield return Case("FailureRatio_just_above_0", o => o.CircuitBreakerFailureRatio = double.Epsilon);
        yield return Case("MinimumThroughput_2", o => o.CircuitBreakerMinimumThroughput = 2);
        yield return Case("SamplingDuration_half_a_second", o => o.CircuitBreakerSamplingDuration = TimeSpan.FromMilliseconds(500));
        yield return Case("SamplingDuration_a_day", o => o.CircuitBreakerSamplingDuration = Day);
        yield return Case("BreakDuration_half_a_second", o => o.CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(500));
        yield return Case("BreakDuration_a_day", o => o.CircuitBreakerBreakDuration = Day);
    }

    [TestCaseSource(nameof(Accepted))]
    public void Validate_AcceptsTheEdgeOfTheRange(Action<GpuCloudResilienceOptions> set)
    {
        var o = new GpuCloudResilienceOptions();
        set(o);
        Assert.That(o.Validate, Throws.Nothing);
    }

    public static IEnumerable<TestCaseData> Refused()
    {
        TestCaseData Case(string name, string setting, Action<GpuCloudResilienceOptions> set) => new TestCaseData(setting, set).SetName($"Refuses_{name}");
        yield return Case("MaxRetries_minus_1", "MaxRetries", o => o.MaxRetries = -1);
        yield return Case("MaxRetries_11", "MaxRetries", o => o.MaxRetries = 11);
        yield return Case("RetryBaseDelay_0", "RetryBaseDelay", o => o.RetryBaseDelay = TimeSpan.Zero);
        yield return Case("RetryBaseDelay_over_a_day", "RetryBaseDelay", o => o.RetryBaseDelay = Day + Tick);
        yield return Case("MaxRetryAfter_negative", "MaxRetryAfter", o => o.MaxRetryAfter = -Tick);
        yield return Case("MaxRetryAfter_over_a_day", "MaxRetryAfter", o => o.MaxRetryAfter = Day + Tick);
        yield return Case("AttemptTimeout_under_10_ms", "AttemptTimeout", o => o.AttemptTimeout = TimeSpan.FromMilliseconds(10) - Tick);
        yield return Case("AttemptTimeout_over_a_day", "AttemptTimeout", o => o.AttemptTimeout = Day + Tick);
        yield return Case("TotalTimeout_under_10_ms", "TotalTimeout", o => o.TotalTimeout = TimeSpan.FromMilliseconds(10) - Tick);
        yield return Case("TotalTimeout_over_a_day", "TotalTimeout", o => o.TotalTimeout = Day + Tick);
        yield return Case("FailureRatio_0", "CircuitBreakerFailureRatio", o => o.CircuitBreakerFailureRatio = 0);
        yield return Case("FailureRatio_above_1", "CircuitBreakerFailureRatio", o => o.CircuitBreakerFailureRatio = 1.000001);
        yield return Case("FailureRatio_NaN", "CircuitBreakerFailureRatio", o => o.CircuitBreakerFailureRatio = double.NaN);
        yield return Case("MinimumThroughput_1", "CircuitBreakerMinimumThroughput", o => o.CircuitBreakerMinimumThroughput = 1);
        yield return Case("SamplingDuration_under_half_a_second", "CircuitBreakerSamplingDuration", o => o.CircuitBreakerSamplingDuration = TimeSpan.FromMilliseconds(500) - Tick);
        yield return Case("SamplingDuration_over_a_day", "CircuitBreakerSamplingDuration", o => o.CircuitBreakerSamplingDuration = Day + Tick);
        yield return Case("BreakDuration_under_half_a_second", "CircuitBreakerBreakDuration", o => o.CircuitBreakerBreakDuration = TimeSpan.FromMilliseconds(500) - Tick);
        yield return Case("BreakDuration_over_a_day", "CircuitBreakerBreakDuration", o => o.CircuitBreakerBreakDuration = Day + Tick);
    }

    [TestCaseSource(nameof(Refused))]
    public void Validate_RefusesTheFirstValueOutside_NamingTheSetting(string setting, Action<GpuCloudResilienceOptions> set)
    {
        var o = new GpuCloudResilienceOptions();
        set(o);
        var ex = Assert.Throws<ArgumentException>(o.Validate);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex!.ParamName, Is.EqualTo(setting));
            Assert.That(ex.Message, Does.StartWith($"Resilience.{setting} must "));
        }
    }
}
