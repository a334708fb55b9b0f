using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using CsCheck;
using Waybill.Core.Manifests;
using Waybill.Core.Manifests.Reading;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Manifests;

/// <summary>
/// The hand-written stage and job manifest readers against the generated reader they stand in front of: on a manifest with
/// every field and record the writer can write, and on that manifest changed at random (a field removed, given another
/// value or a value of another kind, given twice, renamed, escaped, the bytes cut), each reads the same record or gives
/// the file to the generated reader; neither reads a file the generated reader refuses.
/// </summary>
public sealed class ManifestReaderTests
{
    private const int Cases = 3_000;

    private static readonly JsonTypeInfo<StageManifest> Generated =
        (JsonTypeInfo<StageManifest>)ManifestJson.GeneratedReadOptions.GetTypeInfo(typeof(StageManifest));

    public static TheoryData<string> RecordTypes => [.. Tables.Keys];

    private static readonly Dictionary<string, (FieldNames Names, JsonTypeInfo Info)> Tables = new()
    {
        ["StageManifest"] = (StageManifestReader.Fields, ManifestJsonContext.Default.StageManifest),
        ["FileRecord"] = (ManifestRecordReaders.FileFields, ManifestJsonContext.Default.FileRecord),
        ["LogSegment"] = (ManifestRecordReaders.SegmentFields, ManifestJsonContext.Default.LogSegment),
        ["ItemRecord"] = (ManifestRecordReaders.ItemFields, ManifestJsonContext.Default.ItemRecord),
        ["ProblemRecord"] = (ManifestRecordReaders.ProblemFields, ManifestJsonContext.Default.ProblemRecord),
        ["StageFingerprint"] = (ManifestRecordReaders.FingerprintFields, ManifestJsonContext.Default.StageFingerprint),
        ["ProducedBy"] = (ManifestRecordReaders.ProducedByFields, ManifestJsonContext.Default.ProducedBy),
        ["StageTry"] = (ManifestRecordReaders.TryFields, ManifestJsonContext.Default.StageTry),
        ["AbsentInput"] = (ManifestRecordReaders.AbsentFields, ManifestJsonContext.Default.AbsentInput),
        ["ReusedFrom"] = (ManifestRecordReaders.ReusedFields, ManifestJsonContext.Default.ReusedFrom),
        ["StageCost"] = (ManifestRecordReaders.CostFields, ManifestJsonContext.Default.StageCost),
        ["CostLine"] = (ManifestRecordReaders.CostLineFields, ManifestJsonContext.Default.CostLine),
        ["ResourceUsage"] = (ResourceUsageReader.Fields, ManifestJsonContext.Default.ResourceUsage),
        ["RequestedResources"] = (ResourceUsageReader.RequestedFields, ManifestJsonContext.Default.RequestedResources),
        ["ResourceSamples"] = (ResourceUsageReader.SamplesFields, ManifestJsonContext.Default.ResourceSamples),
        ["GpuUsage"] = (ResourceUsageReader.GpuFields, ManifestJsonContext.Default.GpuUsage),
        ["JobManifest"] = (JobManifestReader.Fields, ManifestJsonContext.Default.JobManifest),
        ["JobStageSummary"] = (JobManifestReader.StageFields, ManifestJsonContext.Default.JobStageSummary),
        ["LineageEdge"] = (JobManifestReader.EdgeFields, ManifestJsonContext.Default.LineageEdge),
        ["JobWarning"] = (JobManifestReader.WarningFields, ManifestJsonContext.Default.JobWarning),
        ["SealedFile"] = (JobManifestReader.SealedFields, ManifestJsonContext.Default.SealedFile),
    };

    /// <summary>A field added to a record type and not to its reader would be dropped: the names must be the metadata's.</summary>
    [Theory]
    [MemberData(nameof(RecordTypes))]
    public void Each_reader_names_the_fields_of_its_record_type_in_the_order_they_are_written_and_those_it_requires(string type)
    {
        var (names, info) = Tables[type];
        var fields = info.Properties.Where(p => !p.IsExtensionData).ToList();
        Assert.Equal(fields.Select(p => p.Name), names.Names);
        // And the fields it requires: a record without one is not read here, as the generated reader refuses it.
        Assert.Equal(fields.Select((p, i) => p.IsRequired ? 1UL << i : 0).Aggregate(0UL, (all, bit) => all | bit), names.Required);
    }

    [Fact]
    public void Every_record_type_a_manifest_holds_has_its_reader()
    {
        var held = new HashSet<Type>();
        Walk(typeof(StageManifest));
        Walk(typeof(JobManifest));
        Assert.Equal(Tables.Values.Select(t => t.Info.Type).OrderBy(t => t.Name), held.OrderBy(t => t.Name));

        void Walk(Type type)
        {
            if (!held.Add(type)) return;
            foreach (var property in ManifestJsonContext.Default.GetTypeInfo(type)!.Properties)
            {
                var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
                if (t.IsGenericType) t = t.GetGenericArguments()[^1];
                if (t.Namespace == typeof(StageManifest).Namespace) Walk(t);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_manifest_with_every_field_is_read_here_as_the_generated_reader_reads_it(bool job)
    {
        var bytes = job ? ManifestJson.Serialize(FullJob()) : ManifestJson.Serialize(Full());
        var fast = Fast(bytes, job, withoutConfig: false);
        Assert.NotNull(fast);
        Assert.Equal("read:" + Encoding.UTF8.GetString(bytes), fast);
        Assert.Equal(Outcome(bytes, job), fast);
        if (job) return;

        var withoutConfig = StageManifestReader.TryRead(bytes, withoutConfig: true)!;
        Assert.Empty(withoutConfig.Config);
        Assert.NotEmpty(withoutConfig.Fingerprint!.Config);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_changed_manifest_is_read_as_the_generated_reader_reads_it_or_left_to_that_reader(bool job)
    {
        var original = JsonNode.Parse(job ? ManifestJson.Serialize(FullJob()) : ManifestJson.Serialize(Full()))!;
        var fields = ManifestReadContractTests.Fields(original, []).ToList();
        var (same, left, refused) = (0, 0, 0);
        Gen.Select(Gen.Int[0, fields.Count - 1], Gen.Int[0, 6], Replacement, Gen.Bool).SampleFixed((index, change, value, withoutConfig) =>
        {
            var root = original.DeepClone();
            var bytes = Changed(root, fields[index], change, value);
            withoutConfig &= !job;
            var expected = Outcome(bytes, job, withoutConfig);
            var fast = Fast(bytes, job, withoutConfig);
            if (fast is null)
            {
                if (expected.StartsWith("refused", StringComparison.Ordinal)) refused++;
                else left++;
                return;
            }
            Assert.Equal(expected, fast);
            same++;
        }, iter: Cases);
        Assert.True(same > Cases / 10 && refused > Cases / 10, $"{same} read the same, {left} left to the generated reader, {refused} refused");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cut_or_garbled_bytes_are_never_read_where_the_generated_reader_refuses_them(bool job)
    {
        var original = job ? ManifestJson.Serialize(FullJob()) : ManifestJson.Serialize(Full());
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, original.Length - 1], Gen.Byte.Array[1, 8]).SampleFixed((kind, at, bytes) =>
        {
            byte[] mutated = kind switch
            {
                0 => original[..at],
                1 => [.. original[..at], .. bytes, .. original[(at + 1)..]],
                _ => [.. original[..at], .. bytes, .. original[at..]],
            };
            if (!Utf8IsValid(mutated)) return;
            if (Fast(mutated, job, withoutConfig: false) is { } fast) Assert.Equal(Outcome(mutated, job), fast);
        }, iter: Cases);
    }

    [Fact]
    public void A_field_name_written_with_an_escape_is_left_to_the_generated_reader()
    {
        var json = Encoding.UTF8.GetString(ManifestJson.Serialize(Full())).Replace("\"stage_id\"", "\"stage\\u005fid\"", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(json);
        Assert.Null(StageManifestReader.TryRead(bytes, withoutConfig: false));
        Assert.StartsWith("read:", Outcome(bytes, job: false), StringComparison.Ordinal);
    }

    private static bool Utf8IsValid(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    private static string? Fast(byte[] bytes, bool job, bool withoutConfig)
    {
        if (job) return JobManifestReader.TryRead(bytes) is { } read ? "read:" + Encoding.UTF8.GetString(ManifestJson.Serialize(read)) : null;
        return StageManifestReader.TryRead(bytes, withoutConfig) is { } manifest ? "read:" + Encoding.UTF8.GetString(ManifestJson.Serialize(manifest)) : null;
    }

    /// <summary>What the generated reader makes of the bytes: the record it reads, serialized, or its refusal.</summary>
    private static string Outcome(byte[] bytes, bool job, bool withoutConfig = false)
    {
        try
        {
            if (job)
            {
                var jobInfo = (JsonTypeInfo<JobManifest>)ManifestJson.GeneratedReadOptions.GetTypeInfo(typeof(JobManifest));
                return "read:" + Encoding.UTF8.GetString(ManifestJson.Serialize(ManifestJson.Read("case.json", bytes, jobInfo)));
            }
            var info = Generated;
            if (withoutConfig)
            {
                var options = new JsonSerializerOptions(ManifestJson.GeneratedReadOptions)
                {
                    TypeInfoResolver = ManifestJson.GeneratedReadOptions.TypeInfoResolver!.WithAddedModifier(ManifestReadContract.LeaveConfig),
                };
                info = (JsonTypeInfo<StageManifest>)options.GetTypeInfo(typeof(StageManifest));
            }
            return "read:" + Encoding.UTF8.GetString(ManifestJson.Serialize(ManifestJson.Read("case.json", bytes, info)));
        }
        catch (ManifestFormatException e)
        {
            return "refused: " + e.Message;
        }
    }

    private static readonly Gen<JsonNode?> Replacement = Gen.OneOf<JsonNode?>(
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Int.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Double.Where(double.IsFinite).Select(d => (JsonNode?)JsonValue.Create(d)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const(() => (JsonNode?)null),
        Gen.DateTimeOffset.Select(t => (JsonNode?)JsonValue.Create(t)),
        Gen.Const<JsonNode?>(JsonValue.Create("2025-13-45T99:00:00Z")),
        Gen.Const<JsonNode?>(new JsonArray(1, "two")),
        Gen.Const<JsonNode?>(new JsonArray()),
        Gen.Const<JsonNode?>(new JsonObject { ["x"] = 1 }),
        Gen.Const<JsonNode?>(new JsonObject()));

    /// <summary>
    /// The manifest with one change at <paramref name="field"/>: 0 removed, 1–2 given <paramref name="value"/>, 3 given
    /// twice, 4 renamed, 5 an unknown field added beside it, 6 its name written with an escape.
    /// </summary>
    private static byte[] Changed(JsonNode root, List<object> field, int change, JsonNode? value)
    {
        var parent = root;
        foreach (var key in field[..^1]) parent = key is int i ? parent[i]! : parent[(string)key]!;
        var last = field[^1];
        switch (change, last)
        {
            case (0, string name): parent.AsObject().Remove(name); break;
            case (0, int index): parent.AsArray().RemoveAt(index); break;
            case (1 or 2, string name): parent[name] = value?.DeepClone(); break;
            case (1 or 2, int index): parent[index] = value?.DeepClone(); break;
            case (3 or 4 or 5 or 6, string name):
                var json = root.ToJsonString();
                var quoted = JsonSerializer.Serialize(name);
                var at = json.IndexOf(quoted + ":", StringComparison.Ordinal);
                var replacement = change switch
                {
                    3 => $"{quoted}:{parent[name]?.ToJsonString() ?? "null"},{quoted}:",
                    4 => JsonSerializer.Serialize(name + "x") + ":",
                    5 => $"\"unknown_field\":1,{quoted}:",
                    _ => "\"\\u00" + ((int)name[0]).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + name[1..] + "\":",
                };
                return Encoding.UTF8.GetBytes(json[..at] + replacement + json[(at + quoted.Length + 1)..]);
            default: parent[(int)last] = value?.DeepClone(); break;
        }
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    /// <summary>A manifest with every field and record set, and values the writer has to escape or format with care.</summary>
    private static StageManifest Full()
    {
        var time = new DateTimeOffset(2026, 12, 6, 11, 37, 7, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        FileRecord File(string type, string path) => new()
        {
            Name = "audio", Type = type, Path = path, Location = "external", Format = "wav", SizeBytes = long.MaxValue, Mtime = time,
            Checksum = "xxh128:00ff", FromStage = "01_demux", FromOutput = "audio", Retained = true, Reason = "kept \"for\" you\n",
            DeletedAt = time.AddDays(1), DeletedReason = "clean", Segments = [new LogSegment { Offset = 3, SizeBytes = 9, Checksum = "c", RunId = "r1" }],
            Metadata = new() { ["sample_rate"] = JsonDocument.Parse("16000").RootElement, ["tags"] = JsonDocument.Parse("[\"a\",{\"b\":null}]").RootElement },
        };
        return new StageManifest
        {
            Stage = "asr", StageId = "06_asr", StageNumber = 6, JobId = "ep01 – é", RunId = "20261206_113707", Attempt = 3,
            Item = new ItemRecord { Key = "episode-01", Value = "videos/episode 01.mkv", Path = "/data/videos/episode 01.mkv" },
            Timestamp = time, StartedUtc = time.ToUniversalTime(), FinishedUtc = time.AddSeconds(1.5), DurationSeconds = 1e-7,
            Status = "failed", StatusReason = "exit code 3 \u0001", Kind = "command", Command = "whisper {in.audio} > '{out.text}'", ExitCode = -1,
            Host = "node-1", WaybillVersion = "1.2.3+abc",
            ToolVersions = { ["ffmpeg"] = "6.1.1", ["sh"] = "", ["whisper 🔊"] = "1.7 🔊" },
            Inputs = { File("audio", "01_demux/audio.wav") },
            AbsentInputs = [new AbsentInput { Name = "subs", FromStage = "02_x", FromOutput = "srt", Reason = "producer failed" }],
            Outputs = { File("text", "06_asr/text.txt"), new FileRecord { Type = "log", Path = "x" } },
            IntermediateFiles = { File("chunk", "06_asr/tmp/chunk 1.wav") },
            Config = new JsonObject { ["model"] = new JsonObject { ["size"] = "large", ["langs"] = new JsonArray("en", "de") }, ["t"] = 0.1 },
            Resources = new ResourceUsage
            {
                WallSeconds = 1.5, CpuUserSeconds = 0.25, CpuSystemSeconds = 0.125, CpuSeconds = 0.375, CpuPercent = 25.000000000000004,
                PeakRssMb = 78.5, PeakRssUpperBound = true, GpuUsed = true, MeasuredBy = "process",
                Requested = new RequestedResources { Threads = 4, MemoryBytes = 1L << 40, Gpus = 1 }, GpuDevices = ["0", "GPU-1"],
                MemoryLimit = "cgroup", CgroupUnavailable = "cgroup v1", MemoryLimitExceeded = false, ReadBytes = 0, WriteBytes = 4096,
                Samples = new ResourceSamples { File = "resource_samples.tsv", IntervalSeconds = 0.25, Count = 7 },
                Gpu = new GpuUsage
                {
                    Available = true, Reason = "r", Device = "NVIDIA H200", UtilizationPercentMean = 50.5, UtilizationPercentMax = 99,
                    MemoryUsedMbPeak = 1024, MeasuredBy = "nvidia-smi",
                },
                Usage = new() { ["tokens"] = 1234, ["calls"] = 0.5 }, Shared = ["cpu", "peak_rss"], CodeCpuSeconds = 0.01, LeftoverProcesses = 2,
                Extra = new() { ["future"] = JsonDocument.Parse("{\"a\":[1,2]}").RootElement },
            },
            Cost = new StageCost
            {
                Currency = "EUR", Total = 0.3,
                Lines = [new CostLine { Unit = "cpu_hour", Quantity = 0.1, Rate = 2, Amount = 0.2, Source = "measured" }, new CostLine { Unit = "tokens" }],
            },
            Errors = { new ProblemRecord { Timestamp = time, Message = "boom", ExceptionType = "IOException", ExceptionMessage = "m", StackTrace = "at x\n at y" } },
            Warnings = { new ProblemRecord { Timestamp = time, Message = "careful" } },
            Summary = new JsonObject { ["segments"] = 8, ["nested"] = new JsonObject { ["x"] = null } },
            Fingerprint = new StageFingerprint
            {
                Value = "xxh128:aa", Definition = "xxh128:bb", CodeVersion = "2",
                Config = new JsonObject { ["secret"] = "***" }, ToolCommands = { ["ffmpeg"] = "ffmpeg -version" },
            },
            Tries =
            [
                new StageTry { Try = 1, Status = "failed", ExitCode = 137, Error = "killed", StartedUtc = time, DurationSeconds = 2 },
                new StageTry { Try = 2, Status = "success", StartedUtc = time, DurationSeconds = 1, WaitBeforeSeconds = 0.5 },
            ],
            Reasons = ["input audio changed", "config t: 0.2 → 0.1"],
            ProducedBy = new ProducedBy
            {
                RunId = "r0", Attempt = 2, FinishedUtc = time, Status = "success", StatusReason = "ok", DurationSeconds = 3, CpuSeconds = 1,
            },
            ReusedFrom = new ReusedFrom { Job = "ep00", Stage = "06_asr", Run = "r9", Reason = "cache hit", Fingerprint = "xxh128:aa", Method = "hard link" },
            Log = new FileRecord { Type = "log", Path = "06_asr/stage.log", SizeBytes = 681, Checksum = "xxh128:cc" },
        };
    }

    /// <summary>A job manifest with every field and record set.</summary>
    private static JobManifest FullJob()
    {
        var stage = Full();
        return new JobManifest
        {
            JobId = "ep01", RunId = "20261206_113707", Pipeline = "subtitles", PipelineFile = "/p/pipeline.yaml", Status = "failed",
            StartedUtc = stage.Timestamp, FinishedUtc = stage.Timestamp.AddMinutes(1), DurationSeconds = 60.5, Host = "node-1",
            WaybillVersion = "1.2.3", PipelineLog = "logs/99_pipeline.log",
            Stages =
            [
                new JobStageSummary
                {
                    StageId = "06_asr", Stage = "asr", StageNumber = 6, Status = "failed", StatusReason = "exit 3", DurationSeconds = 1.25,
                    DependsOn = ["01_demux", "05_vad"], Outputs = ["text"], WarningCount = 1, ErrorCount = 2, Optional = true,
                    Manifest = "06_asr/manifest.json", ManifestChecksum = "xxh128:dd", CheckedByRun = "r2",
                },
                new JobStageSummary { StageId = "07_x", Stage = "x" },
            ],
            Cost = stage.Cost,
            Warnings = [new JobWarning { StageId = "06_asr", Message = "optional stage failed", Skipped = ["07_x"] }, new JobWarning { StageId = "a", Message = "b" }],
            Lineage = [new LineageEdge { FromStage = "01_demux", FromOutput = "audio", ToStage = "06_asr", ToInput = "audio", Path = "a.wav", Checksum = "c" }],
            Logs = [.. stage.Outputs],
            JobFiles = [new SealedFile { Path = "metadata.json", SizeBytes = 12, Checksum = "xxh128:ee" }],
        };
    }
}
