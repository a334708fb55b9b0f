using System.Globalization;
using System.Text.Json.Nodes;

namespace Waybill.Core.Caching;

/// <summary>One cached file: where it sits in the entry (relative to the stage folder) and what its bytes must hash to.</summary>
/// <param name="JobPath">The path the producing job's manifest gave it (relative to that job), to pair it with its record.</param>
public sealed record CachedFile(string Path, string JobPath, long SizeBytes, string Checksum);

/// <summary>An input the stage's own code tracked (not declared): as its manifest recorded it, job-relative or absolute.</summary>
public sealed record ExtraInput(string? Name, string Path, string Checksum);

/// <summary>A tool version the stage's own code recorded, with the command that prints it again.</summary>
public sealed record ExtraTool(string Tool, string Command, string Version);

/// <summary>What a stage depended on beyond its declarations: checked again before its cached result is restored.</summary>
public sealed record ExtraDependencies(IReadOnlyList<ExtraInput> Inputs, IReadOnlyList<ExtraTool> Tools)
{
    public static readonly ExtraDependencies None = new([], []);
}

/// <summary>
/// A finished, successful stage run kept in the result cache: <c>entries/&lt;fingerprint&gt;/record.json</c> (who produced
/// it, what its files must hash to), <c>manifest.json</c> (the producer's stage manifest), <c>files/</c> (the outputs, laid
/// out as in the stage folder) and <c>last-used</c>, an empty file whose modification time is the entry's last use.
/// </summary>
/// <param name="Fingerprint">The key: the fingerprint from the stage's declarations (the producer's manifest has the whole one).</param>
public sealed record ResultCacheEntry(string Folder, string Fingerprint, string Job, string Stage, string Run, DateTimeOffset CreatedUtc,
    IReadOnlyList<CachedFile> Files)
{
    public ExtraDependencies Extra { get; init; } = ExtraDependencies.None;

    public const string RecordName = "record.json";
    public const string ManifestName = "manifest.json";
    public const string FilesName = "files";
    public const string LastUsedName = "last-used";

    public long SizeBytes => Files.Sum(f => f.SizeBytes);

    public string FilePath(CachedFile file) => System.IO.Path.Combine(Folder, FilesName, file.Path);

    public string ManifestPath => System.IO.Path.Combine(Folder, ManifestName);

    /// <summary>When a run last restored it (or published it): the modification time of <c>last-used</c>.</summary>
    public DateTimeOffset LastUsedUtc
    {
        get
        {
            var stamp = new FileInfo(System.IO.Path.Combine(Folder, LastUsedName));
            return stamp.Exists ? new DateTimeOffset(stamp.LastWriteTimeUtc, TimeSpan.Zero) : CreatedUtc;
        }
    }

    public JsonObject ToJson() => new()
    {
        ["fingerprint"] = Fingerprint,
        ["job"] = Job,
        ["stage"] = Stage,
        ["run"] = Run,
        ["created_utc"] = CreatedUtc.ToString("O", CultureInfo.InvariantCulture),
        ["files"] = new JsonArray([.. Files.Select(f => (JsonNode)new JsonObject
        {
            ["path"] = f.Path,
            ["job_path"] = f.JobPath,
            ["size_bytes"] = f.SizeBytes,
            ["checksum"] = f.Checksum,
        })]),
        ["extra_inputs"] = new JsonArray([.. Extra.Inputs.Select(i => (JsonNode)new JsonObject
        {
            ["name"] = i.Name, ["path"] = i.Path, ["checksum"] = i.Checksum,
        })]),
        ["extra_tools"] = new JsonArray([.. Extra.Tools.Select(t => (JsonNode)new JsonObject
        {
            ["tool"] = t.Tool, ["command"] = t.Command, ["version"] = t.Version,
        })]),
    };

    /// <summary>
    /// 16 MiB: a record lists the entry's files at about 200 bytes each; 80,000 outputs of one stage run would fill it.
    /// </summary>
    internal const int RecordMaxBytes = 16 << 20;

    /// <summary>The entry in <paramref name="folder"/>; null with <paramref name="problem"/> set when its record is missing or damaged.</summary>
    public static ResultCacheEntry? Read(string folder, out string? problem)
    {
        problem = null;
        var path = System.IO.Path.Combine(folder, RecordName);
        try
        {
            // Never read whole: the cache is shared, and a record replaced by a link to /dev/zero would never end.
            if (!IO.BoundedFileRead.TryReadAllBytes(path, RecordMaxBytes, out var bytes))
                throw new FormatException($"more than {RecordMaxBytes >> 20} MiB, more than a record ever holds (is it a link to a device?)");
            var json = JsonNode.Parse(bytes) as JsonObject ?? throw new FormatException("not a JSON object");
            var files = new List<CachedFile>();
            foreach (var item in json["files"] as JsonArray ?? throw new FormatException("no files list"))
            {
                var file = item as JsonObject ?? throw new FormatException("a files item is not an object");
                var relative = Text(file, "path");
                // An entry names files inside itself only: a record that points elsewhere is damaged, never followed.
                if (System.IO.Path.IsPathRooted(relative) || relative.Split('/', '\\').Any(p => p is ".." or "." or ""))
                    throw new FormatException($"file path '{relative}' leaves the entry");
                files.Add(new CachedFile(relative, Text(file, "job_path"), (long?)file["size_bytes"] ?? throw new FormatException("a file has no size_bytes"),
                    Text(file, "checksum")));
            }
            var created = DateTimeOffset.Parse(Text(json, "created_utc"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
            var inputs = (json["extra_inputs"] as JsonArray ?? []).Select(i => i as JsonObject ?? throw new FormatException("an extra input is not an object"))
                .Select(i => new ExtraInput((string?)i["name"], Text(i, "path"), Text(i, "checksum"))).ToList();
            var tools = (json["extra_tools"] as JsonArray ?? []).Select(t => t as JsonObject ?? throw new FormatException("an extra tool is not an object"))
                .Select(t => new ExtraTool(Text(t, "tool"), (string?)t["command"] ?? "", (string?)t["version"] ?? "")).ToList();
            return new ResultCacheEntry(folder, Text(json, "fingerprint"), Text(json, "job"), Text(json, "stage"), Text(json, "run"), created, files)
            {
                Extra = new ExtraDependencies(inputs, tools),
            };
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException
            or System.Text.Json.JsonException)
        {
            problem = $"{path}: {e.Message}";
            return null;
        }
    }

    private static string Text(JsonObject json, string key) =>
        json[key] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : throw new FormatException($"no {key}");
}
