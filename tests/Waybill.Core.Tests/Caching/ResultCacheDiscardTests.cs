using Microsoft.Extensions.Time.Testing;
using Waybill.Core.Caching;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Caching;

/// <summary>
/// A refused entry is taken out only if it is still the one refused: between a restore that read it and the discard,
/// another run may have replaced it (a forced or stale run's result) or pruned it and published a new one.
/// </summary>
public sealed class ResultCacheDiscardTests : IDisposable
{
    private const string Fingerprint = "xxh128:0123456789abcdef0123456789abcdef";

    private readonly TempFolder _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly ResultCache _cache;

    public ResultCacheDiscardTests() => _cache = new ResultCache(_temp.Combine("cache"), _time);

    public void Dispose() => _temp.Dispose();

    private ResultCacheEntry Publish(string run, bool replace)
    {
        var output = _temp.Write($"{run}/out.txt", run);
        var manifest = _temp.Write($"{run}/manifest.json", "{}");
        var file = new CachedFile("out.txt", "01_make/out.txt", new FileInfo(output).Length, "xxh128:00");
        Assert.Equal(PublishResult.Stored,
            _cache.Publish(Fingerprint, "job", "01_make", run, manifest, [new PublishedFile(output, file)], ExtraDependencies.None, replace));
        _time.Advance(TimeSpan.FromSeconds(1));
        return _cache.Find(Fingerprint, out _)!;
    }

    [Fact]
    public void Discarding_a_refused_entry_that_another_run_replaced_meanwhile_leaves_the_new_entry_in_place()
    {
        var refused = Publish("run-a", replace: false);
        var replacement = Publish("run-b", replace: true);

        _cache.Discard(refused, "refused: its file out.txt no longer matches its checksum");

        var now = _cache.Find(Fingerprint, out var damaged);
        Assert.Null(damaged);
        Assert.NotNull(now);
        Assert.Equal(("run-b", replacement.CreatedUtc), (now.Run, now.CreatedUtc));
        Assert.Equal("run-b", File.ReadAllText(Path.Combine(now.Folder, "files", "out.txt")));
        Assert.Empty(_cache.Tombstones());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_cache.StagingDir));
    }

    [Fact]
    public void Discarding_the_entry_that_is_still_there_removes_it_with_a_tombstone()
    {
        var refused = Publish("run-a", replace: false);

        _cache.Discard(refused, "refused");

        Assert.Null(_cache.Find(Fingerprint, out var damaged));
        Assert.Null(damaged);
        Assert.Equal("run-a", (string?)Assert.Single(_cache.Tombstones())["run"]);
    }

    [Fact]
    public void Discarding_a_damaged_record_that_a_good_entry_replaced_meanwhile_leaves_the_good_one()
    {
        Publish("run-a", replace: false);

        _cache.DiscardDamaged(Fingerprint, "record damaged");

        Assert.Equal("run-a", _cache.Find(Fingerprint, out _)?.Run);
        Assert.Empty(_cache.Tombstones());
    }
}
