using CsCheck;
using Waybill.Core.Pipeline.FanOut;
using Xunit;

namespace Waybill.Core.Tests.Pipeline.FanOut;

/// <summary>An item's key made from its text: a text that is a key already is its own key; any other is made into one.</summary>
public sealed class ItemKeyTests
{
    [Theory]
    [InlineData("Episode 01.mkv", "episode-01.mkv")]
    [InlineData("  __a  b__ ", "a-b")]
    [InlineData("-item-5-", "item-5")]
    [InlineData("item-5_", "item-5")]
    [InlineData("Ärger über", "rger-ber")]
    [InlineData("üéï ∂", "")]
    [InlineData("a..b--c__d", "a..b--c__d")]
    public void A_text_is_made_into_a_key(string text, string key) => Assert.Equal(key, ItemKeys.FromText(text));

    [Fact]
    public void A_text_that_is_a_key_is_its_own_key_not_a_copy()
    {
        var text = "item-10002";
        Assert.Same(text, ItemKeys.FromText(text));
        Assert.Null(ItemKeys.Problem(text));
    }

    [Fact]
    public void A_key_made_from_any_text_is_valid_and_made_again_is_the_same()
    {
        // Letters in both cases, digits, the kept separators, other ASCII and text beyond it, in any order and length.
        var chars = Gen.OneOf(Gen.Char['a', 'z'], Gen.Char['A', 'Z'], Gen.Char['0', '9'], Gen.Char["._- /é\ud83c"]);
        Gen.String[chars, 0, 120].Sample(text =>
        {
            var key = ItemKeys.FromText(text);
            Assert.True(key.Length == 0 || ItemKeys.Problem(key) is null, $"'{text}' → '{key}'");
            Assert.Equal(key, ItemKeys.FromText(key));
        }, iter: 2_000);
    }
}
