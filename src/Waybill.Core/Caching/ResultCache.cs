using System.Globalization;
using System.Text.Json.Nodes;
using Waybill.Core.IO;

namespace Waybill.Core.Caching;

/// <summary>A file a finished stage run offers to the cache: its full path now, and what the entry records of it.</summary>
public sealed record PublishedFile(string FullPath, CachedFile Record);

/// <summary>What <see cref="ResultCache.Publish"/> did.</summary>
public enum PublishResult
{
    Stored,
    /// <summary>An entry of that fingerprint was there already, or another run stored one first: nothing to do.</summary>
    AlreadyThere,
}

/// <summary>
/// The result cache shared across jobs: a folder of entries named by fingerprint (<c>entries/xxh128-…/</c>). An entry
/// appears whole or not at all: it is built in <c>tmp/</c> inside the cache and renamed into place, so a concurrent
/// reader never sees half of one, and of two writers of one fingerprint the second finds the place taken and steps back.
/// Entries leave the same way (renamed out, then deleted), each with a line in <c>pruned.jsonl</c> saying what, when and why.
/// </summary>
public sealed class ResultCache(string root, TimeProvider time)
{
    private const int ENotEmpty = 39;
    private const int EExist = 17;
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true };

    public string Root { get; } = Path.GetFullPath(root);
    public string EntriesDir => Path.Combine(Root, "entries");
    /// <summary>Where entries are built and taken apart; what a killed writer left here is removed by <c>cache prune</c>.</summary>
    public string StagingDir => Path.Combine(Root, "tmp");
    /// <summary>One JSON line per entry removed (pruned or refused): the tombstones <c>cache list --pruned</c> shows.</summary>
    public string PrunedPath => Path.Combine(Root, "pruned.jsonl");

    /// <summary>"xxh128:ab12…" → "xxh128-ab12…": a folder name on every file system.</summary>
    public static string EntryName(string fingerprint) => fingerprint.Replace(':', '-');

    public string EntryFolder(string fingerprint) => Path.Combine(EntriesDir, EntryName(fingerprint));

    /// <summary>The entry for <paramref name="fingerprint"/>; null when there is none, or (with <paramref name="damaged"/> set) when its record is damaged.</summary>
    public ResultCacheEntry? Find(string fingerprint, out string? damaged)
    {
        var entry = ResultCacheEntry.Read(EntryFolder(fingerprint), out damaged);
        if (entry is null || entry.Fingerprint == fingerprint) return entry;
        damaged = $"{Path.Combine(entry.Folder, ResultCacheEntry.RecordName)} names fingerprint {entry.Fingerprint}, not the one of its folder";
        return null;
    }

    /// <summary>Every readable entry, in no particular order.</summary>
    public IEnumerable<ResultCacheEntry> Entries()
    {
        if (!Directory.Exists(EntriesDir)) yield break;
        foreach (var folder in Directory.EnumerateDirectories(EntriesDir))
            if (ResultCacheEntry.Read(folder, out _) is { } entry) yield return entry;
    }

    /// <summary>Marks the entry used now (what <c>cache prune</c> orders by); a cache that cannot be written loses only that.</summary>
    public void Touch(ResultCacheEntry entry)
    {
        var stamp = Path.Combine(entry.Folder, ResultCacheEntry.LastUsedName);
        try
        {
            if (!File.Exists(stamp)) File.WriteAllBytes(stamp, []);
            File.SetLastWriteTimeUtc(stamp, time.GetUtcNow().UtcDateTime);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Stores a finished run's files under <paramref name="fingerprint"/>: hard links to the job's files where the cache
    /// shares their file system, copies where it does not. <paramref name="replace"/>: a forced run's result takes the place
    /// of the entry there. Errors (a full or read-only cache) are thrown, with nothing left behind.
    /// </summary>
    public PublishResult Publish(string fingerprint, string job, string stage, string run, string manifestPath, IReadOnlyList<PublishedFile> files,
        ExtraDependencies extra, bool replace)
    {
        var final = EntryFolder(fingerprint);
        if (!replace && Directory.Exists(final)) return PublishResult.AlreadyThere;
        Directory.CreateDirectory(EntriesDir);
        var staging = NewStagingFolder(EntryName(fingerprint));
        try
        {
            foreach (var file in files)
            {
                var destination = Path.Combine(staging, ResultCacheEntry.FilesName, file.Record.Path);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                HardLink.LinkOrCopy(file.FullPath, destination);
            }
            File.Copy(manifestPath, Path.Combine(staging, ResultCacheEntry.ManifestName));
            var entry = new ResultCacheEntry(staging, fingerprint, job, stage, run, time.GetUtcNow(), [.. files.Select(f => f.Record)]) { Extra = extra };
            File.WriteAllText(Path.Combine(staging, ResultCacheEntry.RecordName), entry.ToJson().ToJsonString(Indented) + "\n");
            File.WriteAllBytes(Path.Combine(staging, ResultCacheEntry.LastUsedName), []);
            if (replace && Directory.Exists(final)) Remove(final);
            if (Processes.LibC.Rename(staging, final) != 0)
            {
                var error = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (error is ENotEmpty or EExist) return PublishResult.AlreadyThere;
                throw new IOException($"cannot rename {staging} to {final}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(error)}", error);
            }
            staging = null;
            return PublishResult.Stored;
        }
        finally
        {
            if (staging is not null) DeleteQuietly(staging);
        }
    }

    /// <summary>
    /// Takes an entry out (renamed away first, so no reader restores from half of it) and leaves its tombstone. Only that
    /// entry: one another run published in its place since it was read (same fingerprint, another run) is left where it is.
    /// </summary>
    public void Discard(ResultCacheEntry entry, string reason)
    {
        var lastUsed = entry.LastUsedUtc;
        static bool Same(ResultCacheEntry? now, ResultCacheEntry was) => now is not null && now.Run == was.Run && now.CreatedUtc == was.CreatedUtc;
        if (!Remove(entry.Folder, away => Same(ResultCacheEntry.Read(away, out _), entry))) return;
        AppendTombstone(new JsonObject
        {
            ["pruned_utc"] = Stamp(time.GetUtcNow()),
            ["fingerprint"] = entry.Fingerprint,
            ["job"] = entry.Job,
            ["stage"] = entry.Stage,
            ["run"] = entry.Run,
            ["files"] = entry.Files.Count,
            ["size_bytes"] = entry.SizeBytes,
            ["created_utc"] = Stamp(entry.CreatedUtc),
            ["last_used_utc"] = Stamp(lastUsed),
            ["reason"] = reason,
        });
    }

    /// <summary>A damaged entry (its record unreadable) has no job or stage to name: its tombstone says what is known.</summary>
    public void DiscardDamaged(string fingerprint, string reason)
    {
        // A readable record there now is an entry another run published since: not the damaged one.
        if (!Remove(EntryFolder(fingerprint), away => ResultCacheEntry.Read(away, out _) is null)) return;
        AppendTombstone(new JsonObject { ["pruned_utc"] = Stamp(time.GetUtcNow()), ["fingerprint"] = fingerprint, ["reason"] = reason });
    }

    /// <summary>
    /// 64 KiB: a tombstone is one line of about 300 bytes (a fingerprint, a job, a stage, times, a reason). The log only
    /// grows, so it has no bound of its own; it is read a line at a time.
    /// </summary>
    internal const int TombstoneMaxBytes = 64 << 10;

    /// <summary>
    /// The tombstones, oldest first; a line that is not JSON (a write cut short) is passed over, and the reading stops at a
    /// line too long to be one (a link to /dev/zero has no newline to stop at), telling <paramref name="stopped"/> why.
    /// </summary>
    public IEnumerable<JsonObject> Tombstones(Action<string>? stopped = null)
    {
        if (!File.Exists(PrunedPath)) yield break;
        using var lines = BoundedFileRead.ReadLines(PrunedPath, long.MaxValue, TombstoneMaxBytes, "cache's pruned log", "").GetEnumerator();
        while (true)
        {
            try
            {
                if (!lines.MoveNext()) yield break;
            }
            catch (FileLimitException e)
            {
                stopped?.Invoke(e.Message);
                yield break;
            }
            var line = lines.Current;
            JsonObject? record = null;
            try
            {
                record = JsonNode.Parse(line) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
            }
            if (record is not null) yield return record;
        }
    }

    /// <summary>Staging folders older than <paramref name="age"/>: what writers killed mid-publish left. Returns how many went.</summary>
    public int RemoveStaleStaging(TimeSpan age)
    {
        if (!Directory.Exists(StagingDir)) return 0;
        var removed = 0;
        foreach (var folder in Directory.EnumerateDirectories(StagingDir))
        {
            if (time.GetUtcNow().UtcDateTime - Directory.GetLastWriteTimeUtc(folder) < age) continue;
            DeleteQuietly(folder);
            removed++;
        }
        return removed;
    }

    public static string Stamp(DateTimeOffset at) => at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private void AppendTombstone(JsonObject record)
    {
        // One short line in one append: lines of concurrent writers do not interleave.
        File.AppendAllText(PrunedPath, record.ToJsonString() + "\n");
    }

    /// <summary>
    /// Renames the folder into staging, then deletes it; false when it was gone already (another run took it out), or when
    /// what was renamed is not <paramref name="theOne"/> it was meant to be: that goes back into its place. Checked after
    /// the rename, on the folder now out of every other run's reach, so no publish in between can slip past the check.
    /// </summary>
    private bool Remove(string folder, Func<string, bool>? theOne = null)
    {
        var away = NewStagingFolder("removed-" + Path.GetFileName(folder));
        Directory.Delete(away);
        if (Processes.LibC.Rename(folder, away) != 0) return false;
        if (theOne is not null && !theOne(away))
        {
            // Another entry took the place meanwhile: it is as good as the one put back.
            if (Processes.LibC.Rename(away, folder) != 0) DeleteQuietly(away);
            return false;
        }
        DeleteQuietly(away);
        return true;
    }

    private string NewStagingFolder(string name)
    {
        var folder = Path.Combine(StagingDir, $"{name}.{Environment.ProcessId}.{Random.Shared.Next():x8}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
