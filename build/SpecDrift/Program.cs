using GpuCloud.SpecDrift;

// dotnet run --project build/SpecDrift -- <checked-in spec> <new upstream spec>
// Lists what changed between the two documents, one line each, breaking changes first; exit code 0 (a report, not a
// verdict), 2 when a file cannot be read.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: dotnet run --project build/SpecDrift -- <checked-in spec> <new upstream spec>");
    return 2;
}

var (before, beforeErrors) = await Drift.LoadAsync(args[0]);
var (after, afterErrors) = await Drift.LoadAsync(args[1]);
foreach (var error in beforeErrors.Select(e => $"{args[0]} : error: {e}").Concat(afterErrors.Select(e => $"{args[1]} : error: {e}")))
    Console.Error.WriteLine(error);
if (before is null || after is null) return 2;

Console.Write(Drift.Report(args[0], args[1], Drift.Compare(before, after)));
return 0;
