namespace GpuCloud.Tests;

public partial class ErrorTranslationTests
{
    [TestCase(400, GpuCloudErrorCode.InvalidRequest)]
    [TestCase(422, GpuCloudErrorCode.InvalidRequest)]
    [TestCase(401, GpuCloudErrorCode.Unauthorized)]
    [TestCase(402, GpuCloudErrorCode.InsufficientFunds)]
    [TestCase(403, GpuCloudErrorCode.Forbidden)]
    [TestCase(404, GpuCloudErrorCode.NotFound)]
    [TestCase(410, GpuCloudErrorCode.NotFound)]
    [TestCase(408, GpuCloudErrorCode.Timeout)]
    [TestCase(504, GpuCloudErrorCode.Timeout)]
    [TestCase(409, GpuCloudErrorCode.Conflict)]
    [TestCase(429, GpuCloudErrorCode.RateLimited)]
    [TestCase(501, GpuCloudErrorCode.NotSupported)]
    [TestCase(500, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(502, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(503, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(599, GpuCloudErrorCode.ProviderUnavailable)]
    [TestCase(200, GpuCloudErrorCode.InvalidResponse)]
    [TestCase(204, GpuCloudErrorCode.InvalidResponse)]
    [TestCase(302, GpuCloudErrorCode.Unknown)]
    [TestCase(418, GpuCloudErrorCode.Unknown)]
    public void CodeForStatus(int status, GpuCloudErrorCode code)
    {
        Assert.That(ErrorTranslation.CodeForStatus(status), Is.EqualTo(code));
    }

    [TestCase(GpuCloudErrorCode.RateLimited, true)]
    [TestCase(GpuCloudErrorCode.ProviderUnavailable, true)]
    [TestCase(GpuCloudErrorCode.Timeout, true)]
    [TestCase(GpuCloudErrorCode.CapacityUnavailable, true)]
    [TestCase(GpuCloudErrorCode.InvalidRequest, false)]
    [TestCase(GpuCloudErrorCode.Unauthorized, false)]
    [TestCase(GpuCloudErrorCode.Forbidden, false)]
    [TestCase(GpuCloudErrorCode.NotFound, false)]
    [TestCase(GpuCloudErrorCode.Conflict, false)]
    [TestCase(GpuCloudErrorCode.InsufficientFunds, false)]
    [TestCase(GpuCloudErrorCode.NotSupported, false)]
    [TestCase(GpuCloudErrorCode.InvalidResponse, false)]
    [TestCase(GpuCloudErrorCode.Unknown, false)]
    public void IsTransient(GpuCloudErrorCode code, bool transient)
    {
        Assert.That(new GpuCloudException(code, "x").IsTransient, Is.EqualTo(transient));
    }

    [Test]
    public void RetryAfter_DeltaSeconds_AndHttpDate_AgainstTheGivenClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        static Dictionary<string, IEnumerable<string>> H(string name, string value) => new() { [name] = [value] };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "7"), time), Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(ErrorTranslation.RetryAfter(H("retry-after", " 120 "), time), Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "Sun, 01 Mar 2026 12:00:30 GMT"), time), Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "Sun, 01 Mar 2026 11:00:00 GMT"), time), Is.EqualTo(TimeSpan.Zero), "a past date means now");
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "soon"), time), Is.Null);
            Assert.That(ErrorTranslation.RetryAfter(H("Retry-After", "-5"), time), Is.Null);
            Assert.That(ErrorTranslation.RetryAfter(H("X-Other", "7"), time), Is.Null);
            Assert.That(ErrorTranslation.RetryAfter(null, time), Is.Null);
        }
    }

    [Test]
    public void FluenceEnvelopes()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FluenceErrors.ParseBody("""{"detail": "Insufficient balance to deploy instance"}"""),
                Is.EqualTo(("Insufficient balance to deploy instance", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"error": "Auth failed. No such API Key"}"""),
                Is.EqualTo(("Auth failed. No such API Key", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"code": "bad_request", "error": "Wrong parameters"}"""),
                Is.EqualTo(("Wrong parameters", (string?)null, "bad_request")));
            Assert.That(FluenceErrors.ParseBody("""{"message": "plain"}"""), Is.EqualTo(("plain", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"detail": [{"loc": ["body", "name"], "msg": "bad name"}]}"""),
                Is.EqualTo(("name: bad name", "name", (string?)null)));
            Assert.That(FluenceErrors.ParseBody("""{"detail": [{"msg": "no location"}]}"""), Is.EqualTo(("no location", (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("<html>502</html>"), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody("[\"a\"]"), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody(""), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
            Assert.That(FluenceErrors.ParseBody(null), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
        }
    }

    [Test]
    public void FluidstackEnvelope()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FluidstackErrors.ParseMessage("""{"message": "Instance not found"}"""), Is.EqualTo("Instance not found"));
            Assert.That(FluidstackErrors.ParseMessage("""{"error": "legacy"}"""), Is.EqualTo("legacy"));
            Assert.That(FluidstackErrors.ParseMessage("<html/>"), Is.Null);
            Assert.That(FluidstackErrors.ParseMessage("\"just a string\""), Is.Null);
            Assert.That(FluidstackErrors.ParseMessage(null), Is.Null);
        }
    }
}
