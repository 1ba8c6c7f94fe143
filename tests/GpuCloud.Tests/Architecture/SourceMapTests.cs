using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace GpuCloud.Tests.Architecture;

/// <summary>
/// src/README.md's table of project references says what each project's .csproj says: every project under src/, and
/// exactly its ProjectReference items, so a reference added or dropped in one place shows up as a failure here.
/// </summary>
public sealed partial class SourceMapTests
{
    // A row of the table: | `Project` | `A`, `B` (or none) | what for |
    [GeneratedRegex(@"^\| `(?<project>[\w.]+)` \| (?<references>[^|]+) \|")]
    private static partial Regex Row();

    [GeneratedRegex(@"`(?<name>[\w.]+)`")]
    private static partial Regex Quoted();

    [Test]
    public void TheReadmesReferenceTable_SaysWhatEachProjectFileReferences()
    {
        var projects = Directory.GetFiles(RepositoryFiles.Path("src"), "*.csproj", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), ProjectReferences);
        var table = ReadmeTable(File.ReadLines(RepositoryFiles.Path("src", "README.md")));
        Assert.That(projects, Has.Count.GreaterThanOrEqualTo(6), "the scan sees the projects under src/");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(table.Keys, Is.EquivalentTo(projects.Keys), "the table names every project under src/, and no other");
            foreach (var (project, references) in projects)
            {
                if (table.TryGetValue(project, out var said))
                    Assert.That(said, Is.EquivalentTo(references), $"{project}'s references");
            }
        }
    }

    [Test]
    public void TheTableReader_ReadsNamesAndNone()
    {
        var table = ReadmeTable([
            "| project | references | what for |",
            "| `A.B` | `C`, `D.E` | x `F` |",
            "| `C` | none | y |",
        ]);

        Assert.That(table, Is.EquivalentTo(new Dictionary<string, string[]> { ["A.B"] = ["C", "D.E"], ["C"] = [] }));
    }

    private static Dictionary<string, string[]> ReadmeTable(IEnumerable<string> lines) =>
        lines.Select(l => Row().Match(l)).Where(m => m.Success)
            .ToDictionary(
                m => m.Groups["project"].Value,
                m => Quoted().Matches(m.Groups["references"].Value).Select(q => q.Groups["name"].Value).ToArray());

    private static string[] ProjectReferences(string csproj) =>
        XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(((string?)r.Attribute("Include") ?? "").Replace('\\', '/')))
            .ToArray();
}
