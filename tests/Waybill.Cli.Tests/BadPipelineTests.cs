using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests;

/// <summary>Bad pipeline files: exit 2, a message that says what, where (file:line:column, field) and what to do; nothing written.</summary>
public sealed class BadPipelineTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<CliProcess.Result> Validate(string yaml)
    {
        _temp.Write("waybill.yaml", yaml);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(2, validate.ExitCode);
        Assert.Equal(2, run.ExitCode);
        Assert.False(Directory.Exists(_temp.Combine("out")), "an invalid pipeline must not create a job folder");
        Assert.DoesNotContain("   at ", validate.Stderr);
        return validate;
    }

    [Fact]
    public async Task A_missing_pipeline_file_is_named()
    {
        var result = await CliProcess.RunAsync(_temp.Path, "run", "nowhere.yaml");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("pipeline file 'nowhere.yaml' does not exist", result.Stderr);
    }

    [Fact]
    public async Task A_yaml_syntax_error_gives_file_line_and_column()
    {
        var result = await Validate("stages:\n  - id: 01_a\n    run: [unclosed\n");
        Assert.Matches(@"error: waybill\.yaml:\d+:\d+: YAML syntax error", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_key_is_reported_with_its_position_and_the_allowed_keys()
    {
        var result = await Validate("stages:\n  - id: 01_a\n    run: 'true'\n    ouputs: { x: x.txt }\n");
        Assert.Contains("waybill.yaml:4:5: ouputs: unknown key 'ouputs' in stage (allowed keys: id, description, run, uses, inputs, outputs", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_stage_kind_lists_the_built_ins()
    {
        var result = await Validate("stages:\n  - id: 01_a\n    uses: teleport\n");
        Assert.Contains("waybill.yaml:3:11: 01_a.uses: unknown stage kind 'teleport'", result.Stderr);
        Assert.Contains("built-ins are: concat, copy", result.Stderr);
    }

    [Fact]
    public async Task A_cycle_names_the_stages_in_it()
    {
        var result = await Validate("""
            stages:
              - id: 01_a
                inputs: { x: 03_c.z }
                run: cp {in.x} {out.y}
                outputs: { y: y.txt }
              - id: 02_b
                inputs: { y: 01_a.y }
                run: cp {in.y} {out.w}
                outputs: { w: w.txt }
              - id: 03_c
                inputs: { w: 02_b.w }
                run: cp {in.w} {out.z}
                outputs: { z: z.txt }
            """);
        Assert.Contains("the stages form a cycle: 01_a → 03_c → 02_b → 01_a", result.Stderr);
    }

    [Fact]
    public async Task Duplicate_stage_ids_and_numbers_are_refused()
    {
        var result = await Validate("stages:\n  - id: 01_a\n    run: 'true'\n  - id: 01_a\n    run: 'true'\n  - id: 01_b\n    run: 'true'\n");
        Assert.Contains("duplicate stage id '01_a'", result.Stderr);
        Assert.Contains("share the number 01", result.Stderr);
    }

    [Fact]
    public async Task A_placeholder_naming_an_undeclared_input_is_refused()
    {
        var result = await Validate("stages:\n  - id: 01_a\n    inputs: { text: data.txt }\n    run: cat {in.audio}\n");
        Assert.Contains("01_a.run: placeholder {in.audio} names an undeclared input; declared inputs: text", result.Stderr);
        Assert.Contains("waybill.yaml:2:5", result.Stderr);
    }

    [Theory]
    [InlineData("../escape.txt", "escapes the stage folder")]
    [InlineData("/tmp/absolute.txt", "is absolute")]
    [InlineData("sub/../../up.txt", "escapes the stage folder")]
    public async Task An_output_path_outside_the_stage_folder_is_refused(string path, string reason)
    {
        var result = await Validate($"stages:\n  - id: 01_a\n    run: 'true'\n    outputs: {{ x: '{path}' }}\n");
        Assert.Contains($"output 'x' path '{path}' {reason}", result.Stderr);
    }

    [Fact]
    public async Task An_input_from_an_unknown_stage_or_output_is_refused()
    {
        var result = await Validate("stages:\n  - id: 01_a\n    run: 'true'\n    outputs: { x: x.txt }\n  - id: 02_b\n    inputs: { x: 01_a.y, z: 09_nope.q }\n    run: 'true'\n");
        Assert.Contains("input 'x' names output 'y' that stage 01_a does not declare (01_a declares: x)", result.Stderr);
        Assert.Contains("input 'z' comes from unknown stage '09_nope'", result.Stderr);
    }

    [Fact]
    public async Task A_bad_set_override_is_refused()
    {
        _temp.Write("waybill.yaml", "stages:\n  - id: 01_a\n    run: 'true'\n");
        var result = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--set", "novalue");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--set 'novalue' is not key=value", result.Stderr);
    }
}
