using Waybill.Core.Pipeline;
using Xunit;

namespace Waybill.Core.Tests.Pipeline;

public sealed class PipelineFileLoaderTests
{
    private const string Yaml = """
        name: p
        config:
          model: base
          beam: 5
          nested: { threshold: 0.5 }
        stages:
          - id: 01_demux
            run: ffmpeg -i {in.video} {out.audio}
            inputs: { video: "movies/My Film (2019).mp4" }
            outputs: { audio: audio.wav }
          - id: 06_asr
            run: asr --model {config.model} --t {config.nested.threshold} {in.audio}
            inputs:
              audio: { from: demux.audio, type: audio }
            config: { model: small }
            outputs: { segments: { path: segments.json, type: transcript, format: json } }
        """;

    [Fact]
    public void Inputs_outputs_config_and_dependencies_are_read()
    {
        var p = PipelineFileLoader.Parse(Yaml, "/work/pipe/waybill.yaml");
        var asr = p.Find("asr")!;
        Assert.Equal("06_asr", asr.Id);
        Assert.Equal(6, asr.Number);
        Assert.Equal(["01_demux"], new Waybill.Core.Execution.ExecutionPlan(p).Dependencies["06_asr"]);
        Assert.Equal("small", p.ConfigFor(asr)["model"]!.GetValue<string>());
        Assert.Equal(5, p.ConfigFor(asr)["beam"]!.GetValue<long>());
        Assert.Equal("transcript", asr.Outputs[0].Type);
        Assert.Equal("movies/My Film (2019).mp4", p.Find("01_demux")!.Inputs[0].ExternalPath);
        Assert.Equal("/work/pipe", p.BaseDirectory);
    }

    [Fact]
    public void Set_overrides_reach_pipeline_and_stage_config_with_types()
    {
        var p = PipelineFileLoader.Parse(Yaml, "/work/pipe/waybill.yaml", ["beam=8", "asr.model=medium", "nested.threshold=0.7", "06_asr.lang=en"]);
        var asr = p.Find("06_asr")!;
        var config = p.ConfigFor(asr);
        Assert.Equal(8, config["beam"]!.GetValue<long>());
        Assert.Equal("medium", config["model"]!.GetValue<string>());
        Assert.Equal(0.7, config["nested"]!["threshold"]!.GetValue<double>());
        Assert.Equal("en", config["lang"]!.GetValue<string>());
        Assert.Equal("base", p.ConfigFor(p.Find("01_demux")!)["model"]!.GetValue<string>());
    }

    [Fact]
    public void Placeholders_are_shell_quoted_and_dollar_braces_are_left_to_the_shell()
    {
        var expanded = Placeholders.Expand("cp {in.a} {out.b} && echo ${HOME} {config.x}", (scope, key) => scope == "config" ? "it's" : $"/dir with space/{key}.txt");
        Assert.Equal("cp '/dir with space/a.txt' '/dir with space/b.txt' && echo ${HOME} 'it'\\''s'", expanded);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Assert.Throws<PipelineInvalidException>(() => PipelineFileLoader.Parse("""
            stages:
              - id: 1_bad
                run: x
              - id: 02_ok
                colour: red
                run: y
            """, "p.yaml"));
        Assert.Equal(2, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Message == "invalid stage id '1_bad'" && e.Location!.Line == 2);
        Assert.Contains(error.Errors, e => e.Message == "unknown key 'colour' in stage" && e.Location!.Line == 5 && e.Location.Column == 5);
    }

    [Fact]
    public void Stage_ids_take_up_to_six_digits_and_seven_are_refused_with_the_rule()
    {
        var p = PipelineFileLoader.Parse("""
            stages:
              - id: 99999_a
                run: x
              - id: 100000_b
                run: y
            """, "p.yaml");
        Assert.Equal([99999, 100000], p.Stages.Select(s => s.Number));

        var error = Assert.Throws<PipelineInvalidException>(() => PipelineFileLoader.Parse("""
            stages:
              - id: 1000000_c
                run: z
            """, "p.yaml"));
        var problem = Assert.Single(error.Errors);
        Assert.Equal("invalid stage id '1000000_c'", problem.Message);
        Assert.Contains("two to six digits", problem.Hint ?? problem.ToString(), StringComparison.Ordinal);
    }
}
