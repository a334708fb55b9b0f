using Waybill.Core.IO;
using Xunit;

namespace Waybill.Core.Tests.IO;

/// <summary>Reads on every core keep the items' order, and a failure is thrown as a loop would have thrown it.</summary>
public sealed class ParallelReadsTests
{
    [Fact]
    public void Results_come_in_the_items_order()
    {
        var items = Enumerable.Range(0, 10_000).ToList();
        Assert.Equal(items.Select(i => i * 3), ParallelReads.Select(items, i => i * 3));
    }

    [Fact]
    public void The_first_failing_item_s_exception_is_thrown_unwrapped_after_every_item_was_read()
    {
        var items = Enumerable.Range(0, 1_000).ToList();
        var read = 0;
        var thrown = Assert.Throws<FormatException>(() => ParallelReads.Select(items, i =>
        {
            Interlocked.Increment(ref read);
            return i % 100 == 37 ? throw new FormatException($"item {i}") : i;
        }));
        Assert.Equal("item 37", thrown.Message);
        Assert.Equal(items.Count, read);
    }
}
