namespace GpuCloud.Journal.Sqlite.Tests;

internal static class Entries
{
    public static readonly DateTimeOffset At = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static JournalIntent Intent(string token, string name = "worker", DateTimeOffset? at = null) => new()
    {
        Token = token,
        Provider = "fluence",
        PlanId = "container:e553aa0f-fff4-4ba6-ba97-5a140bcc94c3",
        Name = name,
        PricePerHour = 1.89m,
        Currency = "USDC",
        At = at ?? At,
        ExpiresAt = (at ?? At).AddHours(2),
        Owner = "dev@build-01",
        Process = JournalProcess.Current,
        ExistingIds = ["container:older-1", "container:older-2"],
    };
}
