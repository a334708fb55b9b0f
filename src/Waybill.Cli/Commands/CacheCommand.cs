using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Waybill.Core.Caching;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill cache list|prune</c>: what the result cache holds, and making it smaller.</summary>
internal static class CacheCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("cache", "The result cache shared across jobs: list its entries, prune it (see docs/cache.md)");
        command.Subcommands.Add(List(output, error));
        command.Subcommands.Add(Prune(output, error));
        return command;
    }

    private static Option<string?> Folder() => new("--cache")
    {
        Description = $"The result cache (default: $XDG_CACHE_HOME/waybill/results, else ~/.cache/waybill/results; {CacheOptions.Variable}=DIR)",
    };

    private static Command List(TextWriter output, TextWriter error)
    {
        var folder = Folder();
        var json = new Option<bool>("--json") { Description = "Print the entries (or with --pruned, the tombstones) as JSON" };
        var pruned = new Option<bool>("--pruned") { Description = "List what was pruned or refused (pruned.jsonl): what, when, why, size" };
        var command = new Command("list", "List the cached stage results: stage, job, size, age, last used") { folder, json, pruned };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var cache = Open(parse.GetValue(folder));
            var now = TimeProvider.System.GetUtcNow();
            if (parse.GetValue(pruned))
            {
                var tombstones = cache.Tombstones(why => error.WriteLine($"warning: the list of what was pruned stops here: {why}")).ToList();
                if (parse.GetValue(json)) output.WriteLine(new JsonArray([.. tombstones]).ToJsonString(Indented));
                else PrintTombstones(output, cache, tombstones);
                return ExitCodes.Success;
            }
            var entries = cache.Entries().Select(e => (Entry: e, LastUsed: e.LastUsedUtc)).OrderByDescending(e => e.LastUsed).ToList();
            if (parse.GetValue(json))
            {
                output.WriteLine(new JsonArray([.. entries.Select(e => (JsonNode)Json(e.Entry, e.LastUsed))]).ToJsonString(Indented));
                return ExitCodes.Success;
            }
            var total = entries.Sum(e => e.Entry.SizeBytes);
            output.WriteLine($"Result cache {cache.Root}: {Count(entries.Count, "entry", "entries")}, {Quantities.FormatSize(total)}");
            if (entries.Count == 0) return ExitCodes.Success;
            var rows = entries.Select(e => new[]
            {
                e.Entry.Stage, e.Entry.Job, Quantities.FormatSize(e.Entry.SizeBytes), Age(now - e.Entry.CreatedUtc), Age(now - e.LastUsed),
                e.Entry.Fingerprint,
            }).Prepend(["STAGE", "JOB", "SIZE", "AGE", "LAST USED", "FINGERPRINT"]).ToList();
            PrintTable(output, rows);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Prune(TextWriter output, TextWriter error)
    {
        var folder = Folder();
        var maxSize = new Option<string?>("--max-size") { Description = "Remove least recently used entries until the cache is at most this size, e.g. 20G" };
        var olderThan = new Option<string?>("--older-than") { Description = "Remove entries not used for longer than this, e.g. 30d" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Show what would be removed, remove nothing" };
        var command = new Command("prune", "Remove cached results: unused for too long, then least recently used over a size; each leaves a tombstone")
        {
            folder, maxSize, olderThan, dryRun,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var sizeText = parse.GetValue(maxSize);
            var ageText = parse.GetValue(olderThan);
            if (sizeText is null && ageText is null)
                throw new CliException("cache prune needs --max-size, --older-than or both", "e.g. waybill cache prune --max-size 20G --older-than 30d");
            long? size = null;
            TimeSpan? age = null;
            var problems = new List<string>();
            if (sizeText is not null)
            {
                size = Quantities.ParseSize(sizeText, out var why);
                if (size is null) problems.Add($"--max-size {why} ({Quantities.SizeRule})");
            }
            if (ageText is not null)
            {
                age = Quantities.ParseDuration(ageText, out var why);
                if (age is null || age < TimeSpan.Zero) problems.Add($"--older-than {why ?? "must not be negative"} ({Quantities.DurationRule})");
            }
            if (problems.Count > 0) throw new CliException(string.Join("; ", problems));
            var cache = Open(parse.GetValue(folder));
            var removed = ResultCachePruner.Prune(cache, TimeProvider.System, size, sizeText, age, ageText, parse.GetValue(dryRun));
            var verb = parse.GetValue(dryRun) ? "would remove" : "removed";
            foreach (var one in removed)
                output.WriteLine($"{verb} {one.Entry.Stage} of job {one.Entry.Job} ({Quantities.FormatSize(one.Entry.SizeBytes)}): {one.Reason}");
            var left = cache.Entries().ToList();
            output.WriteLine($"Result cache {cache.Root}: {verb} {Count(removed.Count, "entry", "entries")} "
                + $"({Quantities.FormatSize(removed.Sum(r => r.Entry.SizeBytes))}); {Count(left.Count, "entry", "entries")}, "
                + $"{Quantities.FormatSize(left.Sum(e => e.SizeBytes))} left" + (parse.GetValue(dryRun) ? " (dry run: nothing removed)" : ""));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static ResultCache Open(string? folder)
    {
        var chosen = folder is not null ? Path.GetFullPath(folder) : CacheOptions.Default()
            ?? throw new CliException($"the result cache is off ({CacheOptions.Variable}=off)", "name one with --cache DIR");
        if (!Directory.Exists(chosen))
            throw new CliException($"no result cache at {chosen}", "runs create it when they store their first result; name another with --cache DIR");
        return new ResultCache(chosen, TimeProvider.System);
    }

    private static JsonObject Json(ResultCacheEntry entry, DateTimeOffset lastUsed) => new()
    {
        ["fingerprint"] = entry.Fingerprint,
        ["stage"] = entry.Stage,
        ["job"] = entry.Job,
        ["run"] = entry.Run,
        ["size_bytes"] = entry.SizeBytes,
        ["files"] = entry.Files.Count,
        ["created_utc"] = ResultCache.Stamp(entry.CreatedUtc),
        ["last_used_utc"] = ResultCache.Stamp(lastUsed),
        ["folder"] = entry.Folder,
    };

    private static void PrintTombstones(TextWriter output, ResultCache cache, List<JsonObject> tombstones)
    {
        output.WriteLine($"Result cache {cache.Root}: {Count(tombstones.Count, "entry", "entries")} pruned or refused ({cache.PrunedPath})");
        if (tombstones.Count == 0) return;
        var rows = tombstones.Select(t => new[]
        {
            Field(t, "pruned_utc"), Field(t, "stage"), Field(t, "job"),
            t["size_bytes"] is JsonValue v && v.TryGetValue<long>(out var bytes) ? Quantities.FormatSize(bytes) : "?", Field(t, "reason"),
        }).Prepend(["PRUNED", "STAGE", "JOB", "SIZE", "WHY"]).ToList();
        PrintTable(output, rows);
    }

    private static string Field(JsonObject json, string key) =>
        json[key] is JsonValue value && value.TryGetValue<string>(out var text) ? Core.Logging.LogText.EscapeControls(text) : "?";

    private static void PrintTable(TextWriter output, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (var row in rows)
            output.WriteLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
    }

    /// <summary>"3d", "5h", "12m", "now".</summary>
    private static string Age(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{Math.Floor(span.TotalDays).ToString(CultureInfo.InvariantCulture)}d"
        : span.TotalHours >= 1 ? $"{Math.Floor(span.TotalHours).ToString(CultureInfo.InvariantCulture)}h"
        : span.TotalMinutes >= 1 ? $"{Math.Floor(span.TotalMinutes).ToString(CultureInfo.InvariantCulture)}m" : "now";

    private static string Count(int n, string one, string many) => $"{n.ToString(CultureInfo.InvariantCulture)} {(n == 1 ? one : many)}";
}
