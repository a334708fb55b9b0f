using CsCheck;
using Waybill.Core.Secrets;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Secrets;

public sealed class SnapshotMaskerTests
{
    private const int Cases = 400;

    private static string Pipeline(string secret) => $$"""
        # the password is written here on purpose
        config:
          password: {{SnapshotMasker.Quote(secret)}}
          model: small
        stages:
          - id: 01_a
            run: {{SnapshotMasker.Quote("echo " + secret + " > {out.o}")}}
            outputs: { o: o.txt }
        """;

    [Fact]
    public void For_any_secret_the_snapshot_parses_holds_no_secret_and_matches_its_unchanged_original()
    {
        var secrets = Gen.String[Gen.Char["abcXYZ019*&!:#'\"{}[],|>-?% \\\t\u00e9"], 4, 24].Where(s => s.Trim().Length >= 4);
        secrets.SampleFixed(secret =>
        {
            var yaml = Pipeline(secret);
            var redactor = new Redactor();
            redactor.Add(secret);
            var snapshot = SnapshotMasker.Mask(yaml, [], [], redactor);
            Assert.NotNull(snapshot);
            Assert.DoesNotContain(secret, snapshot.Text, StringComparison.Ordinal);
            var root = SnapshotMasker.TryLoad(snapshot.Text);
            Assert.NotNull(root);
            var slots = SnapshotMasker.Find(root);
            Assert.Equal([(SecretSlotKind.Config, "password"), (SecretSlotKind.Text, "stages[01_a].run")], slots.Select(s => (s.Kind, s.Name)));
            Assert.Equal(snapshot.Text, SnapshotMasker.MaskLike(yaml, slots));
            Assert.Contains(SnapshotMasker.Unmasked(yaml, slots), g => g.Contains(secret, StringComparison.Ordinal));
            // Filled in again, no placeholder is left for the loader to refuse.
            var filled = SnapshotMasker.Fill(snapshot.Text, root, slots, _ => "~");
            Assert.NotNull(filled);
            Assert.Null(SnapshotMasker.FirstMasked(SnapshotMasker.TryLoad(filled)!));
        }, iter: Cases);
        ReliabilityFigures.Record("random secrets masked in a pipeline snapshot that stays valid YAML (property cases)",
            Cases.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Without_secrets_the_snapshot_is_the_file_as_written_or_quoted_where_a_gather_needs_it()
    {
        const string plain = "# kept as written\nconfig: { model: small }   # and this\nstages:\n  - id: 01_a\n    run: echo hi\n";
        var snapshot = SnapshotMasker.Mask(plain, [], [], new Redactor());
        Assert.NotNull(snapshot);
        Assert.Equal(plain, snapshot.Text);
        Assert.Empty(snapshot.Slots);
        Assert.Equal(plain, SnapshotMasker.MaskLike(plain, []));

        // Not YAML until quoted: the snapshot is the quoted text.
        const string gather = "stages:\n  - id: 02_all\n    inputs: { all: 01_a.o[*] }\n    run: cat {in.all}\n";
        var quoted = SnapshotMasker.Mask(gather, [], [], new Redactor());
        Assert.NotNull(quoted);
        Assert.Equal(Waybill.Core.Pipeline.FanOut.GatherSyntax.Quote(gather), quoted.Text);
        Assert.NotEqual(gather, quoted.Text);
    }

    [Theory]
    [InlineData("see http://user:pa55@host:5000/x?api_key=abc&team=a", "see http://user:***@host:5000/x?api_key=***&team=a")]
    [InlineData("https://h/p?X-Amz-Credential=AK/1&X-Amz-Signature=ff00&n=1", "https://h/p?X-Amz-Credential=***&X-Amz-Signature=***&n=1")]
    [InlineData("http://user@host/?model=small", "http://user@host/?model=small")]
    [InlineData("no url here: a=b&token=c", "no url here: a=b&token=c")]
    public void Credentials_inside_URLs_are_masked_whatever_their_length(string text, string masked) =>
        Assert.Equal(masked, UrlCredentials.Mask(text));
}
