using System.Reflection;
using System.Text;

namespace GpuCloud.Tests.PublicApi;

/// <summary>
/// The facade's public surface, listed by reflection and checked in (GpuCloud.PublicApi.txt), so any change to it shows
/// up in review. Regenerate the listing with <c>GPUCLOUD_UPDATE_PUBLIC_API=1 dotnet test tests/GpuCloud.Tests</c>.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly Facade = typeof(GpuCloudClient).Assembly;
    private static readonly Assembly Generated = typeof(GpuCloud.Generated.TolerantContractResolver).Assembly;

    [Test]
    public void TheListing_IsUpToDate()
    {
        var path = Path.Combine(FindRepositoryRoot(), "tests", "GpuCloud.Tests", "PublicApi", "GpuCloud.PublicApi.txt");
        var actual = Listing();
        if (Environment.GetEnvironmentVariable("GPUCLOUD_UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
            Assert.Pass("GpuCloud.PublicApi.txt rewritten: review and commit it.");
        }
        var expected = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "";
        Assert.That(actual, Is.EqualTo(expected),
            "The public API changed. If that is intended, run GPUCLOUD_UPDATE_PUBLIC_API=1 dotnet test tests/GpuCloud.Tests and commit GpuCloud.PublicApi.txt.");
    }

    [Test]
    public void NoPublicSignature_ExposesAGeneratedType()
    {
        var leaks = new List<string>();
        foreach (var type in Facade.GetExportedTypes())
        {
            foreach (var t in new[] { type.BaseType }.Concat(type.GetInterfaces()).OfType<Type>())
                if (FromGenerated(t)) leaks.Add($"{type.FullName} : {t.FullName}");
            foreach (var member in Members(type))
                foreach (var t in SignatureTypes(member))
                    if (FromGenerated(t)) leaks.Add($"{type.FullName}.{member.Name} uses {t.FullName}");
        }
        Assert.That(leaks, Is.Empty);
    }

    [Test]
    public void TheLeakCheck_CanFail() =>
        Assert.That(FromGenerated(typeof(List<GpuCloud.Generated.Fluence.FluenceClient>)), Is.True);

    internal static string Listing()
    {
        var sb = new StringBuilder();
        foreach (var type in Facade.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            sb.Append(Kind(type)).Append(' ').Append(Name(type));
            var bases = new[] { type.BaseType }.Where(b => b is not null && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
                .Concat(type.GetInterfaces().Where(i => i.IsPublic && !i.Name.StartsWith("IEquatable", StringComparison.Ordinal)).OrderBy(i => i.Name, StringComparer.Ordinal))
                .Select(t => Name(t!)).ToArray();
            if (bases.Length > 0) sb.Append(" : ").Append(string.Join(", ", bases));
            sb.Append('\n');
            var lines = type.IsEnum
                ? Enum.GetNames(type).Select(n => $"  {n} = {Convert.ToInt64(Enum.Parse(type, n), System.Globalization.CultureInfo.InvariantCulture)}")
                : Members(type).Select(m => "  " + Describe(m)).Distinct().OrderBy(l => l, StringComparer.Ordinal);
            foreach (var line in lines) sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    private static IEnumerable<MemberInfo> Members(Type type) =>
        type.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m switch
            {
                MethodBase mb => (mb.IsPublic || mb.IsFamily || mb.IsFamilyOrAssembly) && !mb.IsSpecialName || mb is ConstructorInfo { IsPublic: true } or ConstructorInfo { IsFamily: true },
                PropertyInfo p => p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily),
                FieldInfo f => (f.IsPublic || f.IsFamily) && !type.IsEnum,
                EventInfo e => e.AddMethod is { IsPublic: true },
                _ => false,
            })
            .Where(m => !m.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) || m is PropertyInfo || m is MethodBase { Name: "ToString" or "Equals" or "GetHashCode" or "<Clone>$" or "Deconstruct" });

    private static string Describe(MemberInfo member) => member switch
    {
        ConstructorInfo c => $"ctor({Parameters(c)})",
        MethodInfo m => $"{(m.IsStatic ? "static " : "")}{Name(m.ReturnType)} {m.Name}{(m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "")}({Parameters(m)})",
        PropertyInfo p => $"{(p.GetAccessors(true)[0].IsStatic ? "static " : "")}{Name(p.PropertyType)} {p.Name} {{ {Accessors(p)}}}",
        FieldInfo f => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}",
        EventInfo e => $"event {Name(e.EventHandlerType!)} {e.Name}",
        _ => member.ToString()!,
    };

    private static string Accessors(PropertyInfo p)
    {
        var sb = new StringBuilder();
        if (p.GetMethod is { } g && (g.IsPublic || g.IsFamily)) sb.Append("get; ");
        if (p.SetMethod is { } s && (s.IsPublic || s.IsFamily))
            sb.Append(s.ReturnParameter.GetRequiredCustomModifiers().Any(m => m.Name == "IsExternalInit") ? "init; " : "set; ");
        return sb.ToString();
    }

    private static string Parameters(MethodBase method) => string.Join(", ", method.GetParameters().Select(p =>
        $"{(p.IsOut ? "out " : p.ParameterType.IsByRef ? "ref " : "")}{Name(p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")}"));

    private static string Kind(Type t) =>
        t.IsEnum ? "enum" : t.IsInterface ? "interface" : t.IsValueType ? "struct"
        : t.IsAbstract && t.IsSealed ? "static class"
        : t.GetMethod("<Clone>$") is not null ? (t.IsSealed ? "sealed record" : "record")
        : t.IsSealed ? "sealed class" : t.IsAbstract ? "abstract class" : "class";

    private static string Name(Type t)
    {
        if (t.IsByRef) return Name(t.GetElementType()!);
        if (t.IsArray) return Name(t.GetElementType()!) + "[]";
        if (Nullable.GetUnderlyingType(t) is { } inner) return Name(inner) + "?";
        if (t.IsGenericParameter) return t.Name;
        var name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : (t.Namespace is null ? "" : t.Namespace + ".") + t.Name;
        if (!t.IsGenericType) return name;
        return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
    }

    private static IEnumerable<Type> SignatureTypes(MemberInfo member) => member switch
    {
        MethodBase m => m.GetParameters().Select(p => p.ParameterType).Append(m is MethodInfo mi ? mi.ReturnType : typeof(void)).SelectMany(Flatten),
        PropertyInfo p => Flatten(p.PropertyType),
        FieldInfo f => Flatten(f.FieldType),
        EventInfo e => Flatten(e.EventHandlerType!),
        _ => [],
    };

    private static IEnumerable<Type> Flatten(Type t)
    {
        yield return t;
        if (t.HasElementType) foreach (var e in Flatten(t.GetElementType()!)) yield return e;
        if (t.IsGenericType) foreach (var a in t.GetGenericArguments().SelectMany(Flatten)) yield return a;
    }

    private static bool FromGenerated(Type t) => Flatten(t).Any(x => x.Assembly == Generated);

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "GpuCloud.Generated.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("GpuCloud.Generated.sln not found above " + AppContext.BaseDirectory);
    }
}
