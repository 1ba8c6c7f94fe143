namespace GpuCloud.Tests.Plumbing;

/// <summary>The handler that puts a provider's key or token on every request.</summary>
public class HeaderHandlerTests : PlumbingTest
{
    [Test]
    public async Task ARequestThatAlreadyCarriesTheHeader_LeavesWithTheCurrentValueOnly()
    {
        string[]? sent = null;
        var inner = new ScriptedHandler().OnAny((request, _, _) =>
        {
            sent = request.Headers.GetValues("X-Api-Key").ToArray();
            return Task.FromResult(ScriptedHandler.Response(HttpStatusCode.OK));
        });
        using var invoker = new HttpMessageInvoker(new HeaderHandler("X-Api-Key", _ => ValueTask.FromResult("current")) { InnerHandler = inner });
        // As a message sent again (a retry through the same request) carries the value of its first send.
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.test/v1/things");
        request.Headers.TryAddWithoutValidation("X-Api-Key", "expired");

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.That(sent, Is.EqualTo(new[] { "current" }));
    }
}
