using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Integrity;

/// <summary>A stage manifest replaced by a link to /dev/zero (a file that never ends) is a clear error, never a crash.</summary>
public sealed class EndlessManifestTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Verify_and_a_rerun_say_the_manifest_is_too_large_and_the_rerun_writes_it_again()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                run: "echo hi > {out.x}"
                outputs: { x: x.txt }
            """);
        var first = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(first.ExitCode == 0, first.All);
        var manifest = _temp.Combine("out", "j", "01_a", "manifest.json");
        File.Delete(manifest);
        File.CreateSymbolicLink(manifest, "/dev/zero");

        var verify = await CliProcess.RunAsync(_temp.Path, "verify", "out/j");
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("01_a/manifest.json: too large to be a manifest: more than 128 MiB", verify.All);
        Assert.DoesNotContain("unexpected", verify.All);

        var rerun = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(rerun.ExitCode == 0, rerun.All);
        // Why it ran again is the stage's own record of its decision.
        var log = File.ReadAllText(_temp.Combine("out", "j", "01_a", "stage.log"));
        Assert.Contains("runs because: previous manifest unreadable", log);
        Assert.Contains("too large to be a manifest", log);
        Assert.Null(new FileInfo(manifest).LinkTarget);
    }
}
