namespace GpuCloud.Tests;

/// <summary>The one way every provider adds and removes SSH keys (<see cref="SshKeyRegistrar"/>), on scripted list/add/remove calls.</summary>
public class SshKeyRegistrarTests
{
    private static SshKey Registered(string name, string key, string fingerprint) => new()
    {
        Provider = "testcloud", Id = "id-" + name, Name = name, PublicKey = key, Algorithm = key.Split(' ')[0], Fingerprint = fingerprint,
    };

    private sealed class Account
    {
        public List<SshKey> Keys { get; } = [];
        public List<string> Added { get; } = [];
        public List<string> Removed { get; } = [];
        public Exception? AddFails { get; set; }
        public Exception? RemoveFails { get; set; }
        public SshKey? RegisteredDuringAdd { get; set; }

        public SshKeyRegistrar Registrar(bool readBack = false) => new(
            _ => Task.FromResult<IReadOnlyList<SshKey>>(Keys.ToArray()),
            (name, key, _) =>
            {
                Added.Add(name);
                if (RegisteredDuringAdd is { } concurrent) Keys.Add(concurrent);
                if (AddFails is { } fails) return Task.FromException<SshKey>(fails);
                var added = new SshKey { Provider = "testcloud", Id = "as-sent", Name = name, PublicKey = key.ToString(), Algorithm = key.Algorithm, Fingerprint = key.Fingerprint };
                if (readBack) Keys.Add(added with { Id = "as-listed" });
                return Task.FromResult(added);
            },
            (id, _) =>
            {
                Removed.Add(id);
                return RemoveFails is { } fails ? Task.FromException(fails) : Task.CompletedTask;
            },
            readBack);
    }

    private static readonly SshPublicKey Laptop = SshPublicKey.Parse(TestKeys.Ed25519);

    [Test]
    public async Task ReturnsTheRegisteredKey_WithoutAdding_WhenTheSameKeyIsRegisteredUnderAnotherName()
    {
        var account = new Account();
        account.Keys.Add(Registered("other", TestKeys.Rsa2048, TestKeys.Rsa2048Fingerprint));
        account.Keys.Add(Registered("old-name", TestKeys.Ed25519Material, TestKeys.Ed25519Fingerprint));

        var key = await account.Registrar().AddAsync("laptop", Laptop, CancellationToken.None);

        Assert.That(key.Name, Is.EqualTo("old-name"));
        Assert.That(account.Added, Is.Empty);
    }

    [Test]
    public async Task AddsTheKey_AndReturnsTheProvidersAnswer_WhenItIsNotRegistered()
    {
        var account = new Account();
        account.Keys.Add(Registered("other", TestKeys.Rsa2048, TestKeys.Rsa2048Fingerprint));

        var key = await account.Registrar().AddAsync("laptop", Laptop, CancellationToken.None);

        Assert.That((key.Id, key.Name, key.Fingerprint), Is.EqualTo(("as-sent", "laptop", TestKeys.Ed25519Fingerprint)));
        Assert.That(account.Added, Is.EqualTo(new[] { "laptop" }));
    }

    [Test]
    public async Task ReturnsTheKeyAsListed_WhenTheProviderAnswersAnAddWithoutIt()
    {
        var account = new Account();

        var key = await account.Registrar(readBack: true).AddAsync("laptop", Laptop, CancellationToken.None);

        Assert.That(key.Id, Is.EqualTo("as-listed"));
    }

    [Test]
    public async Task ReturnsTheRegisteredKey_WhenTheAddConflictsBecauseTheKeyWasAddedMeanwhile()
    {
        var account = new Account
        {
            RegisteredDuringAdd = Registered("laptop", TestKeys.Ed25519, TestKeys.Ed25519Fingerprint),
            AddFails = new GpuCloudException(GpuCloudErrorCode.Conflict, "SSH key already exists", "testcloud"),
        };

        var key = await account.Registrar().AddAsync("laptop", Laptop, CancellationToken.None);

        Assert.That(key.Id, Is.EqualTo("id-laptop"));
    }

    [Test]
    public void ReportsTheConflict_WhenTheNameIsTakenByAnotherKey()
    {
        var account = new Account { AddFails = new GpuCloudException(GpuCloudErrorCode.Conflict, "a key named laptop exists", "testcloud") };
        account.Keys.Add(Registered("laptop", TestKeys.Rsa2048, TestKeys.Rsa2048Fingerprint));

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => account.Registrar().AddAsync("laptop", Laptop, CancellationToken.None));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.Conflict));
    }

    [Test]
    public async Task RemovingAKeyThatIsGone_Succeeds()
    {
        var account = new Account { RemoveFails = new GpuCloudException(GpuCloudErrorCode.NotFound, "no such key", "testcloud") };

        await account.Registrar().RemoveAsync("id-laptop", CancellationToken.None);

        Assert.That(account.Removed, Is.EqualTo(new[] { "id-laptop" }));
    }

    [Test]
    public void RemovingAKey_ReportsAnyOtherFailure()
    {
        var account = new Account { RemoveFails = new GpuCloudException(GpuCloudErrorCode.Forbidden, "not yours", "testcloud") };

        var ex = Assert.ThrowsAsync<GpuCloudException>(() => account.Registrar().RemoveAsync("id-laptop", CancellationToken.None));

        Assert.That(ex!.Code, Is.EqualTo(GpuCloudErrorCode.Forbidden));
    }
}
