using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Waybill.Core.Execution;
using Waybill.Core.Hashing;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Waybill.Core.Stages;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Checksums;

/// <summary>The built-in copy and concat stages hash what they write, so the run's checksum cache never reads their outputs back.</summary>
public sealed class HashedOutputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData(ChecksumAlgorithm.XxHash128)]
    [InlineData(ChecksumAlgorithm.Sha256)]
    public async Task Copy_remembers_the_checksum_of_what_it_wrote(ChecksumAlgorithm algorithm)
    {
        var source = WriteRandom("in/source.bin", (3 << 20) + 12345, seed: 1);
        var pipeline = new PipelineBuilder("copy", _temp.Path)
            .Checksum(algorithm)
            .Stage("01_copy", () => new CopyStage(), s => s.ExternalInput("data", source).Output("data", "copy.bin"))
            .Build();
        var checksums = new ChecksumCache(algorithm);

        var context = ContextFor(pipeline, checksums);
        await new CopyStage().RunAsync(context, TestContext.Current.CancellationToken);

        var target = context.OutputPath("data");
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(target));
        Assert.Equal(FileHasher.Compute(target, algorithm), checksums.GetOrCompute(target));
        Assert.Equal(0, checksums.FilesHashed);
    }

    [Fact]
    public async Task Concat_remembers_the_checksum_of_all_inputs_joined()
    {
        var first = WriteRandom("in/a.bin", 700_000, seed: 2);
        var second = WriteRandom("in/b.bin", 5, seed: 3);
        var third = WriteRandom("in/c.bin", 1_500_000, seed: 4);
        var pipeline = new PipelineBuilder("concat", _temp.Path)
            .Stage("01_join", () => new ConcatStage(), s => s.ExternalInput("a", first).ExternalInput("b", second).ExternalInput("c", third).Output("all", "all.bin"))
            .Build();
        var checksums = new ChecksumCache(ChecksumAlgorithm.XxHash128);

        var context = ContextFor(pipeline, checksums);
        await new ConcatStage().RunAsync(context, TestContext.Current.CancellationToken);

        var target = context.OutputPath("all");
        Assert.Equal([.. File.ReadAllBytes(first), .. File.ReadAllBytes(second), .. File.ReadAllBytes(third)], File.ReadAllBytes(target));
        Assert.Equal(FileHasher.Compute(target, ChecksumAlgorithm.XxHash128), checksums.Get(target, new FileInfo(target).Length, File.GetLastWriteTimeUtc(target)));
        Assert.Equal(0, checksums.FilesHashed);
    }

    [Fact]
    public async Task Without_a_checksum_cache_the_stages_still_copy()
    {
        var source = WriteRandom("in/source.bin", 1000, seed: 5);
        var pipeline = new PipelineBuilder("copy", _temp.Path)
            .Stage("01_copy", () => new CopyStage(), s => s.ExternalInput("data", source).Output("data", "copy.bin"))
            .Build();

        var context = ContextFor(pipeline, checksums: null);
        await new CopyStage().RunAsync(context, TestContext.Current.CancellationToken);

        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(context.OutputPath("data")));
    }

    [Fact]
    public async Task The_hashing_stream_hashes_every_write_path_alike()
    {
        var path = _temp.Combine("written.bin");
        var bytes = new byte[100_000];
        new Random(6).NextBytes(bytes);
        string checksum;
        await using (var stream = new HashingWriteStream(File.Create(path), ChecksumAlgorithm.Sha256))
        {
            stream.Write(bytes, 0, 10);
            stream.WriteByte(bytes[10]);
            stream.Write(bytes.AsSpan(11, 50_000));
            await stream.WriteAsync(bytes.AsMemory(50_011, 49_989), TestContext.Current.CancellationToken);
            checksum = stream.Checksum;
            Assert.Throws<InvalidOperationException>(() => stream.WriteByte(0));
        }

        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(FileHasher.Compute(path, ChecksumAlgorithm.Sha256), checksum);
    }

    private StageContext ContextFor(PipelineDefinition pipeline, ChecksumCache? checksums)
    {
        var stage = pipeline.Stages[0];
        var layout = new JobLayout(_temp.Combine("out", "job"));
        var manifest = new StageManifest
        {
            Stage = stage.Name, StageId = stage.Id, StageNumber = stage.Number, JobId = layout.JobId, RunId = "run",
            Kind = "code", Host = "test", WaybillVersion = RunServices.Version,
        };
        return new StageContext(stage, pipeline, layout, manifest, NullLogger.Instance, new Redactor(), TimeProvider.System, new JsonObject()) { Checksums = checksums };
    }

    private string WriteRandom(string relativePath, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        var path = _temp.Combine(relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
