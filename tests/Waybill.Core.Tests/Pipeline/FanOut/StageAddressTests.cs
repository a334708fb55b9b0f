using Waybill.Core.Pipeline.FanOut;
using Xunit;

namespace Waybill.Core.Tests.Pipeline.FanOut;

/// <summary>What a stage typed on the command line stands for: one stage, one item, or every item of a fan-out.</summary>
public sealed class StageAddressTests
{
    private static readonly StageRef[] Job =
    [
        new("01_list", "list"),
        new("02_asr[ep-01]", "asr"), new("02_asr[ep-02]", "asr"), new("02_asr[pilot]", "asr"),
        new("03_each", "each"), new("03_each[a]", "each"),
        new("04_all", "all"),
    ];

    [Theory]
    [InlineData("01_list", "01_list")]
    [InlineData("list", "01_list")]
    [InlineData("02_asr[ep-02]", "02_asr[ep-02]")]
    [InlineData("asr[ep-02]", "02_asr[ep-02]")]
    [InlineData("asr", "02_asr[ep-01] 02_asr[ep-02] 02_asr[pilot]")]
    [InlineData("02_asr[*]", "02_asr[ep-01] 02_asr[ep-02] 02_asr[pilot]")]
    [InlineData("03_each", "03_each 03_each[a]")]
    public void An_address_stands_for_these_stage_runs(string typed, string ids)
    {
        var match = StageAddress.Resolve(Job, typed);
        Assert.Null(match.Problem);
        Assert.Equal(ids.Split(' '), match.Ids);
    }

    [Fact]
    public void An_unknown_key_lists_the_closest_keys_first()
    {
        var match = StageAddress.Resolve(Job, "asr[ep]");
        Assert.Equal("02_asr has no item 'ep'", match.Problem);
        Assert.Equal("02_asr has 3 items: ep-01, ep-02, pilot", match.Hint);
        Assert.False(match.UnknownStage);
    }

    [Fact]
    public void Hundreds_of_keys_are_cut_to_a_few_in_the_hint()
    {
        StageRef[] many = [.. Enumerable.Range(1, 500).Select(i => new StageRef($"05_x[k{i:000}]", "x"))];
        var match = StageAddress.Resolve(many, "x[k9]");
        Assert.Equal("05_x has 500 items: k001, k002, k003, k004, k005, k006, k007, k008, … (492 more)", match.Hint);
    }

    [Theory]
    [InlineData("nope", "no stage 'nope'", true)]
    [InlineData("all[x]", "04_all does not run per item, so it has no item 'x'", false)]
    [InlineData("list[*]", "01_list does not run per item, so 'list[*]' names no item", false)]
    [InlineData("asr[EP 1]", "'EP 1' is not a valid item key: a key is 1 to 80 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit", false)]
    public void What_names_nothing_says_why(string typed, string problem, bool unknownStage)
    {
        var match = StageAddress.Resolve(Job, typed);
        Assert.Empty(match.Ids);
        Assert.Equal(problem, match.Problem);
        Assert.Equal(unknownStage, match.UnknownStage);
    }

    [Fact]
    public void An_item_of_a_fan_out_whose_items_are_not_known_yet_is_taken_as_typed()
    {
        StageRef[] plan = [new("01_list", "list"), new("02_each", "each", FansOut: true)];
        var match = StageAddress.Resolve(plan, "each[b]");
        Assert.True(match.Deferred);
        Assert.Equal(["02_each[b]"], match.Ids);
    }
}
