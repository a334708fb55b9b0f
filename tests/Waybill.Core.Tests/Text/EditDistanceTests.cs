using Waybill.Core.Text;
using Xunit;

namespace Waybill.Core.Tests.Text;

public sealed class EditDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("shout", "shout", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("shuot", "shout", 2)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("audio.wv", "audio.wav", 1)]
    public void Counts_the_fewest_single_character_edits(string a, string b, int expected)
    {
        Assert.Equal(expected, EditDistance.Between(a, b));
        Assert.Equal(expected, EditDistance.Between(b, a));
    }
}
