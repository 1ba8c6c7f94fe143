using GpuCloud;

// gpucloud-team-machine OWNER COUNT release|wait
// The providers come from the environment (the sandbox's variables), the journal from GPUCLOUD_JOURNAL (postgres://, the
// password from PGPASSWORD). Creates COUNT instances, ten at a time, alternating Fluence and Fluidstack; prints
// "created <provider> <id>" for each as it is answered. Then "release" deletes each and waits until it is gone; "wait"
// prints "waiting" and waits for them to become ready, which the sandbox never lets happen: the test kills it there.
if (args is not [var owner, var countText, var then and ("release" or "wait")] || !int.TryParse(countText, out var count))
{
    Console.Error.WriteLine("usage: OWNER COUNT release|wait");
    return 2;
}

var options = GpuCloudOptions.FromEnvironment();
options.Owner = owner;
options.PollInterval = TimeSpan.FromMilliseconds(200);
await using var journal = new PostgresInstanceJournal(Environment.GetEnvironmentVariable("GPUCLOUD_JOURNAL")
    ?? throw new InvalidOperationException("GPUCLOUD_JOURNAL is not set"));
options.Journal = journal;
using var cloud = new GpuCloudClient(options);

var plans = new Dictionary<string, GpuPlan>();
foreach (var (provider, workload) in new[] { ("fluence", WorkloadType.Container), ("fluidstack", WorkloadType.VirtualMachine) })
    plans[provider] = (await cloud.ListPlansAsync(new PlanQuery { Providers = [provider], Workload = workload })).Plans.First(p => p.Availability != PlanAvailability.Unavailable);

var output = new Lock();
using var gate = new SemaphoreSlim(10);
var created = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
{
    await gate.WaitAsync();
    try
    {
        var plan = plans[i % 2 == 0 ? "fluence" : "fluidstack"];
        var instance = await cloud.CreateInstanceAsync(new CreateInstanceRequest
        {
            Plan = plan,
            Name = $"{owner.Split('@')[0]}-{i:00}",
            SshPublicKeys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP6qlOJ3nURQhCJRGgiMq72PDbnwEw26OlfGPM9UTN5p team-machine"],
            Container = plan.Workload == WorkloadType.Container ? new ContainerSettings { Image = "nvidia/cuda:12.4.1-base-ubuntu22.04" } : null,
        });
        lock (output) Console.WriteLine($"created {instance.Provider} {instance.Id}");
        return instance;
    }
    finally
    {
        gate.Release();
    }
}));

if (then == "release")
{
    await Task.WhenAll(created.Select(async instance =>
    {
        await gate.WaitAsync();
        try
        {
            await cloud.DeleteInstanceAsync(instance.Provider, instance.Id);
            await cloud.WaitForStateAsync(instance.Provider, instance.Id, InstanceState.Terminated, TimeSpan.FromMinutes(5));
        }
        finally
        {
            gate.Release();
        }
    }));
    Console.WriteLine("released");
    return 0;
}

Console.WriteLine("waiting");
await Task.WhenAll(created.Select(i => cloud.WaitForStateAsync(i.Provider, i.Id, InstanceState.Running, TimeSpan.FromHours(1))));
return 0;
