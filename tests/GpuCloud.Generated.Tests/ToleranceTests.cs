using Newtonsoft.Json;
using Infra = GpuCloud.Generated.Fluidstack.Infrastructure;

namespace GpuCloud.Generated.Tests;

/// <summary>
/// The shared reading rules of the generated clients: one unreadable list item costs that item (ListItemTolerance),
/// and Fluidstack's userData never fails a read.
/// </summary>
public class ToleranceTests
{
    private static JsonSerializerSettings Strict() => new() { ContractResolver = TolerantContractResolver.Instance };

    private static (T Value, List<SkippedListItem> Skipped) ReadTolerant<T>(string json)
    {
        var skipped = new List<SkippedListItem>();
        var value = JsonConvert.DeserializeObject<T>(json, ListItemTolerance.Apply(Strict(), skipped.Add))!;
        return (value, skipped);
    }

    // Source: the Fluence docs type memory/storage `count` as an integer (specs/fluence.openapi.yaml ResourceQuantity), and
    // newer-sources: offers come from many suppliers, so one odd value must cost that offer at most.
    private const string TwoOptions = """
        {"data": [{"gpu_model": {"model": "a10"}, "availability_by_number": [{"gpu_count": 1, "options": [
          {"id": "good", "memory": {"count": 186, "units": "Gi"}},
          {"id": "odd", "memory": {"count": 185.5, "units": "Gi"}},
          {"id": "odder", "vcpu": {"count": {"cores": 30}}},
          {"id": "also-good", "memory": {"count": "93", "units": "Gi"}}
        ]}]}]}
        """;

    [Test]
    public void AFractionalOrMisshapenValue_CostsItsItemOnly_WithTheIdAndPath()
    {
        var (list, skipped) = ReadTolerant<Fluence.VmPlanList>(TwoOptions);

        var options = list.Data!.Single().Availability_by_number!.Single().Options!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Select(o => o.Id), Is.EqualTo(new[] { "good", "also-good" }));
            Assert.That(options.Select(o => o.Memory!.Count), Is.EqualTo(new int?[] { 186, 93 }), "integers stay integers; a numeric string is still read");
            Assert.That(skipped.Select(s => s.Id), Is.EqualTo(new[] { "odd", "odder" }));
            Assert.That(skipped[0].Path, Is.EqualTo("data[0].availability_by_number[0].options[1]"));
        }
    }

    [Test]
    public void WithoutTheToleranceSettings_TheSameResponseFails()
    {
        // The baseline the rule changes: the plain settings lose the whole list to one offer.
        Assert.Throws(Is.InstanceOf<JsonException>(), () => JsonConvert.DeserializeObject<Fluence.VmPlanList>(TwoOptions, Strict()));
    }

    [Test]
    public void AnErrorOutsideAnyList_StillFailsTheResponse()
    {
        Assert.Throws(Is.InstanceOf<JsonException>(), () => ReadTolerant<Fluence.VmInstanceDetail>("""{"id": "x", "resources": {"supply": {"gpu_count": 1.5}}}"""));
    }

    [Test]
    public void AnItemInATopLevelList_IsLeftOutByItsId()
    {
        var (keys, skipped) = ReadTolerant<List<Fluence.UserSshKey>>(
            """[{"id": "9b2f4c3e-6d1a-4f5b-8c7d-0e1f2a3b4c5d", "name": "a"}, {"id": "not-a-uuid", "name": "b"}]""");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(keys.Select(k => k.Name), Is.EqualTo(new[] { "a" }));
            Assert.That(skipped.Single().Id, Is.EqualTo("not-a-uuid"));
        }
    }

    // Source: newer-sources (Fluidstack): userData is `format: byte` in the spec, but null, base64 with a trailing
    // newline, and raw #cloud-config text all occur in examples; reading an instance must never fail on it.
    [TestCase("null", null)]
    [TestCase("\"I2Nsb3VkLWNvbmZpZwo=\\n\"", "#cloud-config\n")]
    [TestCase("\"I2Nsb3VkLWNvbmZpZwo=\"", "#cloud-config\n")]
    [TestCase("\"#cloud-config\\npackages: [nginx]\\n\"", "#cloud-config\npackages: [nginx]\n")]
    public void UserData_InEveryShape_IsRead(string json, string? text)
    {
        var instance = JsonConvert.DeserializeObject<Infra.Instance>(
            $$"""{"id": "550e8400-e29b-41d4-a716-446655440000", "name": "i", "userData": {{json}}}""", Strict())!;

        Assert.That(instance.UserData is null ? null : Encoding.UTF8.GetString(instance.UserData), Is.EqualTo(text));
    }
}
