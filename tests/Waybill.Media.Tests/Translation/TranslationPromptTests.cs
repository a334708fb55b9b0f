using Waybill.Media.Stages.Translation;
using Xunit;

namespace Waybill.Media.Tests.Translation;

public sealed class TranslationPromptTests
{
    [Theory]
    [InlineData("1. a\n2. b\n3. c", new[] { "a", "b", "c" })]
    [InlineData("Sure! Here they are:\n\n1) a\n2) b\n3) c\n", new[] { "a", "b", "c" })]
    [InlineData("[1] a\n[2] b\n[3] c", new[] { "a", "b", "c" })]
    [InlineData("2. b\n1. a\n3. c", new[] { "a", "b", "c" })]
    [InlineData("1. Am 2. Mai\n2. b\n3. c", new[] { "Am 2. Mai", "b", "c" })]
    public void Numbered_replies_are_read_in_number_order(string reply, string[] expected) =>
        Assert.Equal(expected, TranslationPrompt.Parse(reply, 3)!);

    [Theory]
    [InlineData("1. a\n2. b")]
    [InlineData("1. a\n2. b\n3. c\n4. d")]
    [InlineData("1. a\n1. b\n3. c")]
    [InlineData("a\nb\nc")]
    public void Missing_extra_or_repeated_numbers_are_rejected(string reply) =>
        Assert.Null(TranslationPrompt.Parse(reply, 3));

    [Fact]
    public void One_unnumbered_line_answers_a_single_line_request() =>
        Assert.Equal(["Hallo."], TranslationPrompt.Parse("Hallo.\n", 1)!);

    [Fact]
    public void Glossary_checks_find_terms_as_whole_words_and_accept_inflected_forms()
    {
        var stark = new Model.GlossaryTerm("Stark", null, "tmdb", "character");
        Assert.Empty(GlossaryRules.UsedIn("Starkly put.", [stark]));
        Assert.Single(GlossaryRules.UsedIn("Mr. stark!", [stark]));
        Assert.Empty(GlossaryRules.Check("Stark's suit.", "Starks Anzug.", [stark]));
        Assert.Single(GlossaryRules.Check("Stark's suit.", "Der Anzug.", [stark]));
        Assert.Equal("Frag Tony Stark.", GlossaryRules.Substitute("Frag tony stark.", "Tony Stark"));
        Assert.Null(GlossaryRules.Substitute("Frag ihn.", "Tony Stark"));
    }
}
