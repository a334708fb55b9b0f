using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary>
/// One run of <c>waybill subtitle</c> over a season: three short generated videos of different lengths (two folders,
/// awkward names) and a broken file of random bytes named .mp4, shared by the tests that read the job folder.
/// </summary>
public sealed class SeasonFixture : IAsyncLifetime
{
    private readonly TempFolder _temp = new();

    /// <summary>The videos by their expected keys, in the order given on the command line.</summary>
    public IReadOnlyDictionary<string, string> Videos { get; private set; } = null!;
    public static readonly string[] Good = ["episode-01", "episode-02", "pilot-s-cut"];
    public CliProcess.Result Run { get; private set; } = null!;
    public string Job => _temp.Combine("out", "season");
    public string Folder => _temp.Path;

    public ValueTask InitializeAsync()
    {
        var videos = new Dictionary<string, string>
        {
            ["episode-01"] = SeasonVideo.Make(_temp.Combine("season", "Episode 01.mp4"), "Hello there."),
            ["episode-02"] = SeasonVideo.Make(_temp.Combine("season", "Episode 02.mkv"),
                "The children walk to school along the quiet green road. Every morning the baker opens his shop."),
            ["pilot-s-cut"] = SeasonVideo.Make(_temp.Combine("extras", "Pilot's \"cut\".mp4"), "The river runs past the old mill."),
            ["broken"] = SeasonVideo.Broken(_temp.Combine("season", "broken.mp4")),
        };
        Videos = videos;
        return RunAsync();
    }

    private async ValueTask RunAsync() =>
        Run = await CliProcess.RunAsync(_temp.Path, ["subtitle", .. Videos.Values, "--job-id", "season", "--out", "out", "--jobs", "2"]);

    public ValueTask DisposeAsync()
    {
        _temp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Short videos for a season: espeak-ng speech under a test pattern, or random bytes that only look like a video.</summary>
public static class SeasonVideo
{
    public static string Make(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var speech = path + ".wav";
        Espeak.Write(speech, text, "en-us", 150);
        var audio = Path.GetExtension(path) == ".mkv" ? "pcm_s16le" : "aac";
        Tool.Ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-i", speech, "-af", "adelay=500|500,apad=pad_dur=1",
            "-shortest", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", audio, path);
        File.Delete(speech);
        return path;
    }

    public static string Broken(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 * 1024));
        return path;
    }
}
