using Waybill.Media.Model;
using Waybill.Media.Stages.Glossary;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Glossary;

public sealed class GlossaryFileReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Tsv_with_header_comments_and_bad_rows_keeps_the_good_rows_and_reports_the_bad_ones_by_line()
    {
        var path = _temp.Write("names.tsv", string.Join('\n',
            "# names to keep",
            "term\ttranslation\tkind",
            "Tony Stark\t\tcharacter",
            "",
            "Infinity Stone\tInfinity-Stein\tobject",
            "\tlonely translation",
            "Jarvis",
            "   # an indented comment",
            "a\tb\tc\td",
            "tony stark\tToni\tcharacter",
            "Wakanda\t\t"));

        var file = GlossaryFileReader.Read(path, "names.tsv");

        Assert.Equal("tsv", file.Format);
        Assert.True(file.HasHeader);
        Assert.Equal(
            [new GlossaryTerm("Tony Stark", null, "user", "character"), new("Infinity Stone", "Infinity-Stein", "user", "object"), new("Jarvis", null, "user", null), new("Wakanda", null, "user", null)],
            file.Terms);
        Assert.Equal(["names.tsv:6: empty term", "names.tsv:9: 4 columns, expected at most 3 (term, translation, kind)", "names.tsv:10: duplicate term 'tony stark' (first given on line 3); this row is ignored"],
            file.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public void Csv_fields_may_be_quoted_with_commas_and_doubled_quotes_and_an_open_quote_is_reported()
    {
        var path = _temp.Write("glossary.csv", string.Join("\r\n",
            "\"Stark Industries, Inc.\",,company",
            "\"The \"\"Hulk\"\"\",Der Hulk",
            "\"Pepper Potts,character",
            "Happy \"Hogan\",,character",
            "Rhodey, \"War Machine\" ,character",
            "Nick \"Fury,,character",
            "too,many,columns,here"));

        var file = GlossaryFileReader.Read(path, "glossary.csv");

        Assert.Equal("csv", file.Format);
        Assert.False(file.HasHeader);
        Assert.Equal(
            [new GlossaryTerm("Stark Industries, Inc.", null, "user", "company"), new("The \"Hulk\"", "Der Hulk", "user", null),
             new("Happy \"Hogan\"", null, "user", "character"), new("Rhodey", "War Machine", "user", "character")],
            file.Terms);
        Assert.Equal([3, 6, 7], file.Problems.Select(p => p.Line));
        Assert.Contains("unbalanced quotes", file.Problems[0].Message);
        Assert.Contains("unbalanced quotes", file.Problems[1].Message);
        Assert.StartsWith("4 columns", file.Problems[2].Message);
    }

    [Theory]
    [InlineData("Tony Stark\tIron Man\n", "tsv")]
    [InlineData("# comment, with a comma\nTony Stark,Iron Man\n", "csv")]
    [InlineData("Tony Stark\n", "tsv")]
    public void Without_a_known_extension_the_first_data_line_decides_the_format(string content, string format)
    {
        var path = _temp.Write("glossary.txt", content);
        var file = GlossaryFileReader.Read(path);
        Assert.Equal(format, file.Format);
        Assert.Equal("Tony Stark", file.Terms.Single().Term);
    }

    [Fact]
    public void A_byte_order_mark_does_not_become_part_of_the_first_term()
    {
        var path = _temp.Combine("bom.tsv");
        File.WriteAllText(path, "Ünïcödé Name\tÜ\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.Equal(new GlossaryTerm("Ünïcödé Name", "Ü", "user", null), GlossaryFileReader.Read(path).Terms.Single());
    }
}
