using Waybill.Media.Stages.Tmdb;
using Xunit;

namespace Waybill.Media.Tests.Tmdb;

public sealed class TitleQueryTests
{
    [Theory]
    [InlineData("The.Movie.2019.1080p.BluRay.x264.mkv", "The Movie", 2019)]
    [InlineData("Movie (2019).mp4", "Movie", 2019)]
    [InlineData("movie_title-2019.mkv", "movie title", 2019)]
    [InlineData("Movie.mkv", "Movie", null)]
    [InlineData("Some Movie.1080p.WEB-DL.mkv", "Some Movie", null)]
    [InlineData("Blade.Runner.2049.2017.2160p.UHD.BluRay.x265.mkv", "Blade Runner 2049", 2017)]
    [InlineData("1917.2019.720p.mkv", "1917", 2019)]
    [InlineData("2001.A.Space.Odyssey.1968.mkv", "2001 A Space Odyssey", 1968)]
    [InlineData("Spider-Man.No.Way.Home.2021.HEVC.mkv", "Spider-Man No Way Home", 2021)]
    [InlineData("Amélie [2001].avi", "Amélie", 2001)]
    [InlineData("Ünïcode Movie (2019) — cut.mp4", "Ünïcode Movie", 2019)]
    public void Release_file_names_give_title_and_year(string fileName, string title, int? year)
    {
        var query = TitleQuery.FromFileName(fileName);
        Assert.NotNull(query);
        Assert.Equal((title, year), (query.Title, query.Year));
    }

    [Theory]
    [InlineData("Movie (2019)", "Movie", 2019)]
    [InlineData("  Dr. Strangelove   (1964) ", "Dr. Strangelove", 1964)]
    [InlineData("Blade Runner 2049", "Blade Runner 2049", null)]
    [InlineData("Heat [1995]", "Heat", 1995)]
    public void Config_titles_keep_dots_and_take_only_a_bracketed_year(string text, string title, int? year) =>
        Assert.Equal(new TitleQuery(title, year), TitleQuery.FromTitle(text));

    [Fact]
    public void Empty_titles_give_nothing()
    {
        Assert.Null(TitleQuery.FromTitle(""));
        Assert.Null(TitleQuery.FromTitle("   "));
        Assert.Null(TitleQuery.FromFileName(".mkv"));
        Assert.Equal("Movie (2019)", new TitleQuery("Movie", 2019).ToString());
        Assert.Equal("Movie", new TitleQuery("Movie", null).ToString());
    }

    [Fact]
    public void The_exact_title_with_the_year_is_preferred_over_tmdbs_first_result()
    {
        TmdbClient.SearchMovie[] results =
        [
            new(1, "Heat Wave", null, "1995-01-01", null, "en"),
            new(2, "Heat", "Heat", "1986-03-01", null, "en"),
            new(3, "Heat", "Heat", "1995-12-15", null, "en"),
        ];
        Assert.Equal(3, TmdbClient.Pick(results, new TitleQuery("heat", 1995))!.Id);
        Assert.Equal(2, TmdbClient.Pick(results, new TitleQuery("Heat", null))!.Id);
        Assert.Equal(1, TmdbClient.Pick(results, new TitleQuery("Something else", 1995))!.Id);
        Assert.Null(TmdbClient.Pick([], new TitleQuery("Heat", null)));
        Assert.True(TmdbClient.IsReadAccessToken("eyJhbGciOiJIUzI1NiJ9.x.y"));
        Assert.False(TmdbClient.IsReadAccessToken("3f2c9e1a7b5d4c8e9f0a1b2c3d4e5f60"));
    }
}
