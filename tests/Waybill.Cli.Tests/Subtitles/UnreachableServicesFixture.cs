using Waybill.Cli.Tests.Support;
using Waybill.Media.Sample;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>
/// One <c>waybill subtitle --translate-to de</c> on the generated sample (its first 12 seconds) while both remote
/// services fail: the translation server answers every request 503, and nothing listens where TMDB is looked for.
/// </summary>
public sealed class UnreachableServicesFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private HttpTestServer? _translation;
    private readonly RefusingPort _tmdb = new();

    public CliProcess.Result Run { get; private set; } = null!;
    public string Job => _temp.Combine("out", "down");
    private int _translationRequests;

    /// <summary>Requests the translation server was sent (each answered 503).</summary>
    public int TranslationRequests => Volatile.Read(ref _translationRequests);

    public async ValueTask InitializeAsync()
    {
        var sample = await SampleGenerator.GenerateAsync(_temp.Combine("sample"), new SampleOptions());
        _translation = new HttpTestServer(_ =>
        {
            Interlocked.Increment(ref _translationRequests);
            return new HttpTestReply(503, """{"error":{"message":"model is loading, try again later"}}""");
        });
        var tmdb = $"http://127.0.0.1:{_tmdb.Port}/3";
        Run = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["TMDB_API_KEY"] = "0123456789abcdef0123456789abcdef" },
            "subtitle", sample.Video, "--job-id", "down", "--out", "out", "--end", "12", "--translate-to", "de",
            "--set", $"10_translation.url={_translation.Url("/v1")}", "--set", $"02_tmdb.api_url={tmdb}");
    }

    public ValueTask DisposeAsync()
    {
        _translation?.Dispose();
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}
