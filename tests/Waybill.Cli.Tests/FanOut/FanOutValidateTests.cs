using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// <c>waybill validate</c> on fan-out mistakes: exit 2, what is wrong at file:line:column with the field and what to do,
/// and <c>waybill run</c> refuses the same file without creating a job folder.
/// </summary>
public sealed class FanOutValidateTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> Refused(string yaml)
    {
        _temp.Write("waybill.yaml", yaml);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        Assert.True(validate.ExitCode == 2, validate.All);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 2, run.All);
        Assert.False(Directory.Exists(_temp.Combine("out", "j")), "an invalid pipeline must not create a job folder");
        Assert.DoesNotContain("   at ", validate.Stderr);
        return validate.Stderr;
    }

    [Fact]
    public async Task A_glob_that_matches_nothing_is_named_with_where_it_looked_and_allow_empty()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { files: "videos/*.mkv" }
                run: cat {item.path} > {out.x}
                outputs: { x: x.txt }
            """);
        Assert.Contains("waybill.yaml:3:23: 01_a.foreach.files: foreach.files 'videos/*.mkv' matches no file (looked in ", error);
        Assert.Contains("add 'allow_empty: true' to run no item", error);
    }

    [Fact]
    public async Task With_allow_empty_a_glob_that_matches_nothing_is_an_empty_fan_out_and_its_gather_runs_with_no_paths()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                foreach: { files: "videos/*.mkv", allow_empty: true }
                run: cat {item.path} > {out.x}
                outputs: { x: x.txt }
              - id: 02_all
                inputs: { all: 01_a.x[*] }
                run: 'echo "n=$(wc -l < {in.all.list})" > {out.count}'
                outputs: { count: count.txt }
            """);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        Assert.True(validate.ExitCode == 0, validate.All);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal("n=0\n", File.ReadAllText(_temp.Combine("out", "j", "02_all", "count.txt")));
    }

    [Fact]
    public async Task Keys_that_collide_after_sanitising_are_refused_with_both_names()
    {
        _temp.Write("videos/Episode 1.mkv", "a");
        _temp.Write("videos/episode-1.mkv", "b");
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { files: "videos/*.mkv" }
                run: cat {item.path} > {out.x}
                outputs: { x: x.txt }
            """);
        Assert.Contains("waybill.yaml:3:23: 01_a.foreach.files: 01_a foreach: items 'Episode 1' and 'episode-1' both get the key 'episode-1'", error);
        Assert.Contains("rename one of them", error);
    }

    [Fact]
    public async Task Values_whose_keys_collide_are_refused_too()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { values: [en-GB, en_gb, EN GB] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
            """);
        Assert.Contains("waybill.yaml:3:24: 01_a.foreach.values: 01_a foreach: items 'en-GB' and 'EN GB' both get the key 'en-gb'", error);
    }

    [Fact]
    public async Task A_gather_over_a_stage_that_does_not_fan_out_says_how_to_read_it()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                run: echo hi > {out.x}
                outputs: { x: x.txt }
              - id: 02_b
                inputs: { all: 01_a.x[*] }
                run: cat {in.all} > {out.y}
                outputs: { y: y.txt }
            """);
        Assert.Contains("waybill.yaml:6:15: 02_b.inputs.all: input 'all' gathers 01_a.x[*], but 01_a does not fan out", error);
        Assert.Contains("drop the [*] to read its one output, or give 01_a a 'foreach:'", error);
    }

    [Fact]
    public async Task Item_path_outside_a_files_fan_out_is_refused()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { values: [en, de] }
                run: echo {item.path} > {out.x}
                outputs: { x: x.txt }
            """);
        Assert.Contains("waybill.yaml:4:10: 01_a.run: {item.path} is only known for 'foreach: { files: … }' (this is a list of 2 values)", error);
    }

    [Fact]
    public async Task Item_key_in_a_pipeline_without_any_fan_out_is_refused_before_the_run()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                run: echo {item.key} > {out.x}
                outputs: { x: x.txt }
            """);
        Assert.Contains("waybill.yaml:3:10: 01_a.run: placeholder {item.key} is only known in a stage that runs per item", error);
        Assert.Contains("add 'foreach:' to the stage", error);
    }

    [Fact]
    public async Task Item_key_in_a_stage_that_does_not_fan_out_beside_one_that_does_is_refused()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { values: [en, de] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
              - id: 02_b
                run: echo {item.key} > {out.y}
                outputs: { y: y.txt }
            """);
        Assert.Contains("waybill.yaml:7:10: 02_b.run: placeholder {item.key} is only known in a stage that runs per item", error);
    }

    [Fact]
    public async Task A_stage_reading_items_of_two_fan_outs_names_both_inputs()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { values: [en, de] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
              - id: 02_b
                foreach: { values: [x, y] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
              - id: 03_c
                inputs: { a: 01_a.x, b: 02_b.x }
                run: cat {in.a} {in.b} > {out.y}
                outputs: { y: y.txt }
            """);
        Assert.Contains("waybill.yaml:11:26: 03_c.inputs.b: input 'b' reads items of 02_b, but input 'a' reads items of 01_a", error);
        Assert.Contains("gather the other with [*]", error);
    }

    [Fact]
    public async Task A_quoted_gather_placeholder_is_refused_with_the_list_file_as_the_way_out()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                foreach: { values: [en, de] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
              - id: 02_b
                inputs: { all: 01_a.x[*] }
                run: cat "{in.all}" > {out.y}
                outputs: { y: y.txt }
            """);
        Assert.Contains("waybill.yaml:8:10: 02_b.run: placeholder {in.all} stands for every file of the gather 'all', so it cannot be quoted", error);
        Assert.Contains("{in.all.list}", error);
    }

    [Fact]
    public async Task A_foreach_over_an_unknown_stage_or_output_lists_what_exists()
    {
        var error = await Refused("""
            stages:
              - id: 01_a
                run: printf 'a\nb\n' > {out.x}
                outputs: { x: x.txt }
              - id: 02_b
                foreach: { lines: 09_nope.x }
                run: echo {item.value} > {out.y}
                outputs: { y: y.txt }
              - id: 03_c
                foreach: { json: 01_a.nope }
                run: echo {item.value} > {out.y}
                outputs: { y: y.txt }
            """);
        Assert.Contains("waybill.yaml:6:23: 02_b.foreach: foreach reads unknown stage '09_nope' (stages are: 01_a, 02_b, 03_c)", error);
        Assert.Contains("waybill.yaml:10:22: 03_c.foreach: foreach reads output 'nope' that stage 01_a does not declare (01_a declares: x)", error);
    }

    [Fact]
    public async Task A_valid_fan_out_is_summed_up_per_stage_not_listed_item_by_item()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                foreach: { values: [a, b, c, d, e, f, g, h, i, j, k, l] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
              - id: 02_all
                inputs: { all: 01_a.x[*] }
                run: cat {in.all} > {out.y}
                outputs: { y: y.txt }
            """);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        Assert.True(validate.ExitCode == 0, validate.All);
        Assert.Contains("13 stages: 01_a[12 items] → 02_all", validate.Stdout);
    }
}
