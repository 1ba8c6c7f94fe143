using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GpuCloud.Tests.Architecture;

/// <summary>
/// Sources are cited as public documents (repository and path, URL) or as files of this repository: a path of one
/// developer's machine tells no other reader anything.
/// </summary>
public sealed partial class CitationTests
{
    // The workspace folder the notes and checkouts of a developer's machine live under; the repository's own files are
    // cited relative to its root. (Made-up home folders in test data, such as /home/me, are not citations.)
    [GeneratedRegex(@"(?<![\w.~-])/work/\w")]
    private static partial Regex MachinePath();

    [Test]
    public void NoTrackedFile_CitesAPathOfOneMachine()
    {
        var files = TrackedTextFiles();
        Assert.That(files, Has.Length.GreaterThan(100), "the scan sees the repository");

        var hits = files
            .SelectMany(f => File.ReadLines(RepositoryFiles.Path(f)).Select((line, i) => (f, i, line)))
            .Where(x => MachinePath().IsMatch(x.line))
            .Select(x => $"{x.f}:{x.i + 1}: {x.line.Trim()}")
            .ToArray();
        Assert.That(hits, Is.Empty);
    }

    [Test]
    public void ThePattern_FindsTheForms_ItIsMeantFor()
    {
        // Put together here so that this file itself cites nothing.
        const string workspace = "/" + "work";
        Assert.That(MachinePath().IsMatch($"see {workspace}/shared/reference/notes.md"), Is.True);
        Assert.That(MachinePath().IsMatch($"(`{workspace}/main/src/README.md`)"), Is.True);
        Assert.That(MachinePath().IsMatch("`~/.ssh/id_ed25519.pub`, specs/README.md, https://docs.example/work/x, /home/me/.ssh"), Is.False);
    }

    private static string[] TrackedTextFiles()
    {
        var start = new ProcessStartInfo("git", "ls-files -z") { WorkingDirectory = RepositoryFiles.Root, RedirectStandardOutput = true };
        using var git = Process.Start(start)!;
        var listed = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        Assume.That(git.ExitCode, Is.Zero, "a git checkout (the test reads the tracked files)");
        string[] text = [".cs", ".md", ".json", ".yaml", ".yml", ".props", ".targets", ".csproj", ".sh", ".txt"];
        return listed.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Where(f => text.Contains(Path.GetExtension(f)) || f.StartsWith(".ci/", StringComparison.Ordinal))
            .ToArray();
    }
}
