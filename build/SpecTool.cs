// The build's spec helper for src/GpuCloud.Generated, compiled by MSBuild itself (RoslynCodeTaskFactory, see
// build/SpecTool.targets): nothing but the .NET SDK is needed.
//
//   Command="check"        specs/specs.lock.json must match the generator inputs under the current version
//   Command="update-lock"  record the inputs' hashes for a bumped version
//   Command="prepare"      copy a spec for NSwag with every `enum:` turned into documentation (see Prepare)
//   Command="nswag-failed" report a failed NSwag run as one line naming the spec, without the stack trace
//   Command="api"          after compile: say whether the generated public API changed in a breaking or additive way
//                          against src/GpuCloud.Generated/PublicAPI.Shipped.txt (PublicApiAnalyzers' RS0016/RS0017,
//                          read from the compiler's SARIF log), and fail a changed spec with the bump it calls for
//
// Errors are logged with a file and a code, so MSBuild prints one clear line "file : error GCGnnn: text".
// Kept to netstandard2.0 APIs: RoslynCodeTaskFactory compiles against them.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class GpuCloudSpecTool : Task
{
    private const string UpdateLockCommand = "dotnet msbuild src/GpuCloud.Generated -t:UpdateSpecLock";

    [Required] public string Command { get; set; } = "";
    [Required] public string Root { get; set; } = "";
    public string Version { get; set; } = "";
    public string Spec { get; set; } = "";
    public string Output { get; set; } = "";
    public string ClassName { get; set; } = "";
    public ITaskItem[] NSwagOutput { get; set; } = new ITaskItem[0];
    public int ExitCode { get; set; }
    /// <summary>The compiler's SARIF log of GpuCloud.Generated (PublicApiAnalyzers' findings); none in a lock-only run.</summary>
    public string Sarif { get; set; } = "";
    /// <summary>src/GpuCloud.Generated/PublicAPI.Shipped.txt: the public API of the locked version.</summary>
    public string ShippedApi { get; set; } = "";
    /// <summary>For "api": what "check" found changed under the locked version (its message and first file).</summary>
    public string ChangedSpecs { get; set; } = "";
    public string ChangedFile { get; set; } = "";
    [Output] public string ChangedOutput { get; set; } = "";
    [Output] public string ChangedFileOutput { get; set; } = "";

    public override bool Execute()
    {
        try
        {
            switch (Command)
            {
                case "check": Check(); break;
                case "update-lock": UpdateLock(); break;
                case "prepare": Prepare(); break;
                case "nswag-failed": NSwagFailed(); break;
                case "api": Api(); break;
                default: Fail("build/SpecTool.targets", "GCG005", "unknown command '" + Command + "'; use check, update-lock, prepare or nswag-failed."); break;
            }
        }
        catch (IOException ex) { Fail(Rel(Spec == "" ? LockPath : Spec), "GCG004", ex.Message); }
        catch (UnauthorizedAccessException ex) { Fail(Rel(Spec == "" ? LockPath : Spec), "GCG004", ex.Message); }
        return !Log.HasLoggedErrors;
    }

    private string LockPath => Path.Combine(Root, "specs", "specs.lock.json");

    private void Fail(string file, string code, string message) =>
        Log.LogError(null, code, null, file, 0, 0, 0, 0, "{0}", message);

    private string Rel(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetFullPath(Root).TrimEnd('/', '\\') + Path.DirectorySeparatorChar;
        return (full.StartsWith(root, StringComparison.Ordinal) ? full.Substring(root.Length) : full).Replace('\\', '/');
    }

    // Text with LF line endings, so a checkout with CRLF (core.autocrlf) matches the lock. The bytes are decoded
    // as they are (a BOM stays part of the text), so the hashes match the ones the Node tool recorded.
    private static string HashFile(string path)
    {
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(path)).Replace("\r\n", "\n");
        using (var sha = SHA256.Create())
            return string.Concat(sha.ComputeHash(Encoding.UTF8.GetBytes(text)).Select(b => b.ToString("x2")));
    }

    // Every input that shapes the generated code: each spec, and the generator settings.
    private SortedDictionary<string, string> Inputs()
    {
        var inputs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "specs")))
        {
            var name = Path.GetFileName(file);
            if (Regex.IsMatch(name, @"\.openapi\.(ya?ml|json)$")) inputs["specs/" + name] = HashFile(file);
        }
        return inputs;
    }

    private sealed class Lock
    {
        public string? Version;
        public Dictionary<string, string> Inputs = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    // The lock is only ever written by UpdateLock below, so its shape is known: a version and a map of hashes.
    private Lock? ReadLock()
    {
        var lck = new Lock();
        if (!File.Exists(LockPath)) return lck;
        var text = File.ReadAllText(LockPath);
        var version = Regex.Match(text, "\"generatedVersion\"\\s*:\\s*(?:\"([^\"]*)\"|null)");
        var inputs = Regex.Match(text, "\"inputs\"\\s*:\\s*\\{([^}]*)\\}");
        if (!version.Success || !inputs.Success)
        {
            Fail("specs/specs.lock.json", "GCG004", "not a spec lock (no generatedVersion or inputs); rewrite it with: " + UpdateLockCommand);
            return null;
        }
        lck.Version = version.Groups[1].Success ? version.Groups[1].Value : null;
        foreach (Match m in Regex.Matches(inputs.Groups[1].Value, "\"([^\"]+)\"\\s*:\\s*\"([^\"]*)\""))
            lck.Inputs[m.Groups[1].Value] = m.Groups[2].Value;
        return lck;
    }

    private string BumpHelp() =>
        "bump <GpuCloudGeneratedVersion> (now " + Version + ") in build/GeneratedVersion.props, " +
        "then record the new hashes with: " + UpdateLockCommand;

    private void Check()
    {
        var lck = ReadLock();
        if (lck is null) return;
        var now = InputsWithSettings();
        var changed = Changed(lck, now);
        if (lck.Version == Version && changed.Count > 0)
        {
            var message = string.Join(", ", changed) + " changed since GpuCloud.Generated " + Version + " was locked in specs/specs.lock.json";
            // With the compiler's API findings to come, the error waits for them: it can then say which bump.
            if (Sarif.Length > 0)
            {
                ChangedOutput = message;
                ChangedFileOutput = changed[0];
            }
            else Fail(changed[0], "GCG001", message + "; " + BumpHelp());
            return;
        }
        if (lck.Version != Version)
            Fail("specs/specs.lock.json", "GCG003", "specs/specs.lock.json records GpuCloud.Generated " + (lck.Version ?? "(none)") +
                " but build/GeneratedVersion.props says " + Version + "; record the inputs for " + Version + " with: " + UpdateLockCommand);
    }

    // Specs in file-name order, then nswag.json: the order the lock has always had.
    private List<KeyValuePair<string, string>> InputsWithSettings()
    {
        var list = Inputs().ToList();
        list.Add(new KeyValuePair<string, string>("nswag.json", HashFile(Path.Combine(Root, "nswag.json"))));
        return list;
    }

    private static List<string> Changed(Lock lck, List<KeyValuePair<string, string>> now)
    {
        var changed = now.Where(kv => !lck.Inputs.TryGetValue(kv.Key, out var h) || h != kv.Value).Select(kv => kv.Key).ToList();
        changed.AddRange(lck.Inputs.Keys.Where(k => now.All(kv => kv.Key != k)));
        return changed;
    }

    private void UpdateLock()
    {
        var lck = ReadLock();
        if (lck is null) return;
        var now = InputsWithSettings();
        var changed = Changed(lck, now);
        if (lck.Version == Version && changed.Count > 0)
        {
            Fail(changed[0], "GCG001", string.Join(", ", changed) + " changed but the version was not bumped; " + BumpHelp());
            return;
        }
        var api = ReadApiChanges();
        // A bump is judged against the version it moves from; re-recording the locked version (the lock already
        // current, e.g. written by an older flow) only brings PublicAPI.Shipped.txt up to date.
        if (api != null && lck.Version != null && lck.Version != Version && api.Breaking && !IsBreakingBump(lck.Version, Version))
        {
            Fail("build/GeneratedVersion.props", "GCG001", "the generated public API " + api.Describe() + ", which is breaking: " +
                "bump <GpuCloudGeneratedVersion> from " + lck.Version + " to " + NextVersion(lck.Version, true) + " (now " + Version + "), then run UpdateSpecLock again.");
            return;
        }
        if (api != null)
        {
            var shipped = new SortedSet<string>(ReadShipped(), StringComparer.Ordinal);
            shipped.ExceptWith(api.Removed);
            shipped.UnionWith(api.Added);
            File.WriteAllText(ShippedApi, "#nullable enable\n" + string.Join("\n", shipped) + "\n", new UTF8Encoding(false));
            Log.LogMessage(MessageImportance.High, "src/GpuCloud.Generated/PublicAPI.Shipped.txt: " + api.Describe() + ".");
        }
        var json = new StringBuilder();
        json.Append("{\n  \"generatedVersion\": \"").Append(Version).Append("\",\n");
        json.Append("  \"algorithm\": \"sha256 of the file with LF line endings\",\n  \"inputs\": {\n");
        json.Append(string.Join(",\n", now.Select(kv => "    \"" + kv.Key + "\": \"" + kv.Value + "\"")));
        json.Append("\n  }\n}\n");
        File.WriteAllText(LockPath, json.ToString(), new UTF8Encoding(false));
        Log.LogMessage(MessageImportance.High, "specs/specs.lock.json now records " + now.Count + " inputs for GpuCloud.Generated " + Version + ".");
    }

    private sealed class ApiChanges
    {
        public List<string> Added = new List<string>();
        public List<string> Removed = new List<string>();
        public bool Breaking => Removed.Count > 0;
        public bool Any => Added.Count > 0 || Removed.Count > 0;

        public string Describe()
        {
            if (!Any) return "is unchanged";
            if (Removed.Count == 0) return "has " + Added.Count + " public members added (e.g. " + Added[0] + ")";
            return "has " + Removed.Count + " public members removed or changed (e.g. " + Removed[0] + ")" + (Added.Count > 0 ? " and " + Added.Count + " added" : "");
        }
    }

    private static readonly Regex JsonString = new Regex("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static string Unescape(string json) =>
        Regex.Replace(json, @"\\(u[0-9a-fA-F]{4}|.)", m => m.Groups[1].Value.Length == 5
            ? ((char)Convert.ToInt32(m.Groups[1].Value.Substring(1), 16)).ToString()
            : m.Groups[1].Value == "n" ? "\n" : m.Groups[1].Value == "t" ? "\t" : m.Groups[1].Value);

    // PublicApiAnalyzers reports an API line missing from PublicAPI.Shipped.txt as RS0016 (its text in the APIName
    // property) and a shipped line no longer found as RS0017 (its text in the message). A changed signature is one
    // of each. The SARIF log is the compiler's; no JSON library is needed for these two shapes.
    private ApiChanges? ReadApiChanges()
    {
        if (Sarif.Length == 0 || !File.Exists(Sarif)) return null;
        var changes = new ApiChanges();
        var text = File.ReadAllText(Sarif);
        // Each result runs from its ruleId to the next one's.
        foreach (Match result in Regex.Matches(text, "\"ruleId\":\\s*\"(RS0016|RS0017)\"(.*?)(?=\"ruleId\":|\\z)", RegexOptions.Singleline))
        {
            var rule = result.Groups[1].Value;
            var body = result.Groups[2].Value;
            if (rule == "RS0016")
            {
                var name = Regex.Match(body, "\"APIName\":\\s*" + JsonString);
                if (name.Success) changes.Added.Add(Unescape(name.Groups[1].Value));
            }
            else
            {
                var message = Regex.Match(body, "\"text\":\\s*" + JsonString);
                var symbol = message.Success ? Regex.Match(Unescape(message.Groups[1].Value), "^Symbol '(.*)' is part of the declared API") : Match.Empty;
                if (symbol.Success) changes.Removed.Add(symbol.Groups[1].Value);
            }
        }
        changes.Added = changes.Added.Distinct().OrderBy(a => a, StringComparer.Ordinal).ToList();
        changes.Removed = changes.Removed.Distinct().OrderBy(a => a, StringComparer.Ordinal).ToList();
        return changes;
    }

    private IEnumerable<string> ReadShipped() =>
        File.Exists(ShippedApi) ? File.ReadAllLines(ShippedApi).Where(l => l.Trim().Length > 0 && l != "#nullable enable") : Enumerable.Empty<string>();

    private static int[] Parts(string version)
    {
        var core = version.Split('-', '+')[0].Split('.');
        return Enumerable.Range(0, 3).Select(i => i < core.Length && int.TryParse(core[i], out var n) ? n : 0).ToArray();
    }

    /// <summary>Semantic versioning, with 0.x's convention: while the major is 0 a breaking change bumps the minor.</summary>
    private static string NextVersion(string locked, bool breaking)
    {
        var v = Parts(locked);
        if (!breaking) return v[0] + "." + v[1] + "." + (v[2] + 1);
        return v[0] == 0 ? "0." + (v[1] + 1) + ".0" : (v[0] + 1) + ".0.0";
    }

    private static bool IsBreakingBump(string locked, string next)
    {
        var a = Parts(locked);
        var b = Parts(next);
        return b[0] > a[0] || (a[0] == 0 && b[0] == 0 && b[1] > a[1]);
    }

    private void Api()
    {
        var api = ReadApiChanges();
        if (api is null) return;
        if (ChangedSpecs.Length > 0)
        {
            var verdict = api.Breaking ? "breaking: bump the " + (Parts(Version)[0] == 0 ? "minor (0.x)" : "major")
                : api.Any ? "additive: bump the patch" : "no public API change: bump the patch";
            Fail(ChangedFile, "GCG001", ChangedSpecs + "; the generated public API " + api.Describe() + ", so this is " + verdict +
                ": set <GpuCloudGeneratedVersion> to " + NextVersion(Version, api.Breaking) + " in build/GeneratedVersion.props, then run: " + UpdateLockCommand);
            return;
        }
        if (api.Any)
            Fail("src/GpuCloud.Generated/PublicAPI.Shipped.txt", "GCG006", "the generated public API " + api.Describe() +
                " against this file, though the specs and nswag.json are as locked (a different NSwag?); " + BumpHelp());
    }

    // Values such as states are open sets in practice: a closed C# enum (NSwag's StringEnumConverter) throws on the
    // first new value, and no NSwag setting generates a string for an `enum:` schema. So every `enum:` becomes the
    // documentation-only `x-enum-values:` and the property is generated as a plain string; the facade maps
    // strings, keeping unknown ones.
    private void Prepare()
    {
        var text = File.ReadAllText(Spec);
        var prepared = Regex.Replace(text, @"^(\s*)enum:", "$1x-enum-values:", RegexOptions.Multiline);
        Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
        File.WriteAllText(Output, prepared, new UTF8Encoding(false));
    }

    // NSwag prints its banner, the exception type and message, then a stack trace: keep the message only.
    private void NSwagFailed()
    {
        var noise = new Regex(@"^(NSwag command line|NSwag bin directory|Visit http|Executing file|Duration:|---)", RegexOptions.IgnoreCase);
        var lines = NSwagOutput.Select(i => i.ItemSpec.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith("at ", StringComparison.Ordinal) && !noise.IsMatch(l))
            .Take(4);
        var message = Regex.Replace(string.Join(" ", lines), @"\s+", " ");
        Fail(Rel(Spec), "GCG002", "NSwag could not generate " + ClassName + " from this spec: " +
            (message.Length > 0 ? message : "exit code " + ExitCode));
    }
}
