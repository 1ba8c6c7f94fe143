using GpuCloud.SpecDrift;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// build/SpecDrift on the checked-in Fluidstack infrastructure spec against an edited copy: the README's worked
/// example ("Regenerating after a spec change") is this exact edit.
/// </summary>
public sealed class SpecDriftTests
{
    private static readonly string Spec = Path.Combine(FindRoot(), "specs", "fluidstack-infrastructure.openapi.yaml");
    private string _dir = null!;

    [SetUp]
    public void MakeDir() => _dir = Directory.CreateTempSubdirectory("gpucloud-drift").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(_dir, recursive: true);

    [Test]
    public async Task TheSameSpec_HasNoDrift()
    {
        var items = await CompareAsync(File.ReadAllText(Spec));
        Assert.That(items, Is.Empty);
    }

    [Test]
    public async Task TheReadmeExample_ListsEachChange_BreakingFirst()
    {
        var text = File.ReadAllText(Spec)
            .Replace("      - out-of-stock\n      - error\n", "      - out-of-stock\n      - error\n      - hibernating\n")
            .Replace("""
                        memory:
                          description: Amount of memory the instance type has
                """, """
                        ephemeralStorage:
                          description: Local NVMe storage of the instance type
                """)
            .Replace("      required:\n      - cpu\n      - memory\n      - name\n", "      required:\n      - cpu\n");
        Assume.That(text, Does.Contain("hibernating").And.Contain("ephemeralStorage").And.Not.Contain("- memory\n      - name\n"), "the edits applied");

        var items = await CompareAsync(text);

        Assert.That(items.Select(i => $"{(i.Breaking ? "breaking" : "additive")} {i.Change} {i.Subject}"), Is.EqualTo(new[]
        {
            "breaking property now optional InstanceType.name",
            "breaking removed property InstanceType.memory",
            "additive added enum value InstanceState \"hibernating\"",
            "additive added property InstanceType.ephemeralStorage",
        }));
    }

    [Test]
    public async Task ARemovedOperation_AndANewRequiredQueryParameter_AreBreaking()
    {
        var text = File.ReadAllText(Spec);
        var start = text.IndexOf("operationId: DeleteProject", StringComparison.Ordinal);
        Assume.That(start, Is.GreaterThan(0));
        // The delete operation's own block: from its method line to the next operation's method line.
        var methodLine = text.LastIndexOf("\n    delete:", start, StringComparison.Ordinal);
        var next = text.IndexOf("\n    get:", start, StringComparison.Ordinal);
        text = text.Remove(methodLine, next - methodLine);
        text = text.Replace("      operationId: ListProjects\n",
            "      operationId: ListProjects\n      parameters:\n      - name: region\n        in: query\n        required: true\n        schema: {type: string}\n");

        var items = await CompareAsync(text);

        Assert.That(items.Where(i => i.Breaking).Select(i => i.Change), Is.EquivalentTo(new[] { "removed operation", "added required parameter" }));
        Assert.That(items.Single(i => i.Change == "removed operation").Subject, Does.EndWith("(DeleteProject)"));
        Assert.That(Drift.Report("a", "b", items), Does.Contain("2 breaking, 0 additive: regenerating is a breaking change"));
    }

    [Test]
    public async Task AFileThatIsNotOpenApi_IsReportedNotCompared()
    {
        var path = Path.Combine(_dir, "broken.yaml");
        File.WriteAllText(path, "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a: [\n");

        var (document, errors) = await Drift.LoadAsync(path);

        Assert.That(errors, Is.Not.Empty);
        Assert.That(document?.Paths?.Count ?? 0, Is.Zero);
    }

    private async Task<IReadOnlyList<DriftItem>> CompareAsync(string newText)
    {
        var path = Path.Combine(_dir, "new.openapi.yaml");
        File.WriteAllText(path, newText);
        var (before, e1) = await Drift.LoadAsync(Spec);
        var (after, e2) = await Drift.LoadAsync(path);
        Assert.That(e1.Concat(e2), Is.Empty);
        return Drift.Compare(before!, after!);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GpuCloud.Generated.sln not found");
    }
}
