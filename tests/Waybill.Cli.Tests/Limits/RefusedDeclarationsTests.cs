using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Limits;

/// <summary>Declarations that could never work are refused by validation: outputs that are folders or engine files, a second document.</summary>
public sealed class RefusedDeclarationsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> Refused(string yaml)
    {
        _temp.Write("waybill.yaml", yaml);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(validate.ExitCode == 2, validate.All);
        Assert.True(run.ExitCode == 2, run.All);
        Assert.False(Directory.Exists(_temp.Combine("out")), "an invalid pipeline must not create a job folder");
        return validate.Stderr;
    }

    private static string WithOutput(string path) => $"stages:\n  - id: 01_a\n    run: echo hi > out.txt\n    outputs:\n      o: '{path}'\n";

    [Theory]
    [InlineData("manifest.json")]
    [InlineData("stage.log")]
    [InlineData("events.jsonl")]
    [InlineData("Manifest.JSON")]
    [InlineData("./stage.log")]
    [InlineData("sub/../manifest.json")]
    [InlineData(".cache/model.bin")]
    [InlineData(".manifest.json.123.tmp")]
    public async Task An_output_named_like_a_file_the_engine_writes_in_the_stage_folder_is_refused(string path)
    {
        var stderr = await Refused(WithOutput(path));
        Assert.Contains($"waybill.yaml:5:7: 01_a.outputs.o: output 'o' path '{path}' would overwrite what the engine writes", stderr);
        Assert.Contains("give the output another name", stderr);
    }

    [Theory]
    [InlineData("results/")]
    [InlineData("results/.")]
    [InlineData("a/b/..")]
    public async Task An_output_path_that_names_a_folder_is_refused(string path)
    {
        var stderr = await Refused(WithOutput(path));
        Assert.Contains($"output 'o' path '{path}' names a folder, not a file", stderr);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("./")]
    public async Task An_output_path_that_names_the_stage_folder_itself_is_refused(string path)
    {
        var stderr = await Refused(WithOutput(path));
        Assert.Contains($"output 'o' path '{path}' names no file", stderr);
    }

    [Fact]
    public async Task An_output_in_a_subfolder_that_merely_shares_an_engine_name_is_allowed()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: mkdir -p sub && echo hi > {out.o}\n    outputs:\n      o: sub/manifest.json\n");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
    }

    [Fact]
    public async Task A_second_yaml_document_is_refused_instead_of_ignored()
    {
        var stderr = await Refused("stages:\n  - id: 01_a\n    run: echo one\n---\nstages:\n  - id: 02_b\n    run: echo two\n");
        Assert.Contains("waybill.yaml:5:1: the file holds a second YAML document ('---' followed by more content), which would be ignored", stderr);
    }

    [Fact]
    public async Task A_lone_document_marker_at_the_end_is_harmless()
    {
        _temp.Write("waybill.yaml", "---\nstages:\n  - id: 01_a\n    run: echo one\n---\n");
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        Assert.True(validate.ExitCode == 0, validate.All);
    }
}
