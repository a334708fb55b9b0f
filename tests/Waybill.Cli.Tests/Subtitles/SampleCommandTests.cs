using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Subtitles;

/// <summary><c>waybill sample</c>: what it leaves on the machine besides the sample.</summary>
public sealed class SampleCommandTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Generating_the_sample_leaves_no_PulseAudio_folders_in_the_temp_folder_or_the_home_folder()
    {
        // espeak-ng sets up PulseAudio even when it only writes a file; with no XDG_RUNTIME_DIR (a root shell, CI) that made
        // TMPDIR/pulse-* and ~/.config/pulse.
        Directory.CreateDirectory(_temp.Combine("tmp"));
        Directory.CreateDirectory(_temp.Combine("home"));
        var environment = new Dictionary<string, string> { ["TMPDIR"] = _temp.Combine("tmp"), ["HOME"] = _temp.Combine("home") };
        var sample = await CliProcess.RunAsync(_temp.Path, environment, "sample", "--out", "generated");
        Assert.True(sample.ExitCode == 0, sample.All);

        Assert.True(File.Exists(_temp.Combine("generated", "sample.mp4")), sample.All);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("tmp")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Combine("home")));
        Assert.Equal(["sample.mp4", "sample.wav", "truth.json"],
            Directory.EnumerateFileSystemEntries(_temp.Combine("generated")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
