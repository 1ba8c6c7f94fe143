using System.Reflection;

namespace GpuCloud.Tests.PublicApi;

/// <summary>
/// No public signature of the facade exposes a type from GpuCloud.Generated (an implementation detail with its own
/// version). The facade's public API itself is declared in src/GpuCloud/PublicAPI.Shipped.txt and
/// PublicAPI.Unshipped.txt and checked by PublicApiAnalyzers at build time.
/// </summary>
public sealed class PublicApiTests
{
    private static readonly Assembly Facade = typeof(GpuCloudClient).Assembly;
    private static readonly Assembly Generated = typeof(GpuCloud.Generated.TolerantContractResolver).Assembly;

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
}
