using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.Limits;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Pipeline;

/// <summary>
/// The pipeline-file loader on any text (random, mutated pipelines, deep nesting, alias bombs) never crashes nor hangs:
/// it loads, or throws <see cref="PipelineInvalidException"/> whose problems each say where or which field.
/// </summary>
public sealed class PipelineFileLoaderPropertyTests
{
    private const string Valid = """
        name: p
        config:
          model: &m base
          nested: { threshold: 0.5, list: [1, 2, *m] }
        stages:
          - id: 01_demux
            run: ffmpeg -i {in.video} {out.audio}
            inputs: { video: "movies/film.mp4" }
            outputs: { audio: audio.wav }
          - id: 06_asr
            run: asr --model {config.model} {in.audio}
            inputs:
              audio: { from: demux.audio, type: audio }
            config: { model: small }
            outputs: { segments: { path: segments.json, type: transcript } }
        """;

    // Smaller than the defaults so that a bomb that fits the budget still loads in a moment; the logic is the same.
    private static readonly PipelineLimits Limits = new() { MaxBytes = 64 * 1024, MaxDepth = 32, MaxAliases = 200, MaxNodes = 20_000 };

    private const string YamlCharacters = "abz019 _-.:{}[],&*!|>'\"#%@`?\n\t\\/~$=";

    /// <summary>Loads or refuses with locations; a hang shows as a cancelled load, a crash as any other exception.</summary>
    private static void LoadsOrRefuses(string yaml)
    {
        using var hang = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            PipelineFileLoader.Parse(yaml, "/p/waybill.yaml", limits: Limits, cancellationToken: hang.Token);
        }
        catch (PipelineInvalidException e)
        {
            Assert.NotEmpty(e.Errors);
            foreach (var error in e.Errors)
                Assert.True(error.Location is not null || error.Field is not null, $"no location nor field: {error}");
        }
    }

    private static long Run(Gen<string> gen, int iterations)
    {
        var cases = 0L;
        gen.SampleFixed(yaml =>
        {
            LoadsOrRefuses(yaml);
            Interlocked.Increment(ref cases);
        }, iter: iterations);
        return cases;
    }

    [Fact]
    public void Random_text_loads_or_is_refused_with_a_location()
    {
        var gen = Gen.String[Gen.Char[YamlCharacters], 0, 300];
        ReliabilityFigures.Record("Pipeline loader property cases: random YAML-like text", Run(gen, 3000).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Random_mutations_of_a_valid_pipeline_load_or_are_refused_with_a_location()
    {
        var edit = Gen.Select(Gen.Int[0, 4], Gen.Int[0, Valid.Length], Gen.Char[YamlCharacters], Gen.Int[1, 12]);
        var gen = edit.Array[1, 8].Select(edits =>
        {
            var text = new StringBuilder(Valid);
            foreach (var (kind, at, c, length) in edits)
            {
                var position = Math.Min(at, text.Length);
                switch (kind)
                {
                    case 0: text.Insert(position, c); break;
                    case 1: text.Remove(position, Math.Min(length, text.Length - position)); break;
                    case 2: if (position < text.Length) text[position] = c; break;
                    case 3: text.Insert(position, text.ToString(position, Math.Min(length * 4, text.Length - position))); break;
                    default: text.Insert(position, c == '*' ? " *m" : " &a "); break;
                }
            }
            return text.ToString();
        });
        ReliabilityFigures.Record("Pipeline loader property cases: mutated valid pipelines", Run(gen, 3000).ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Any_nesting_depth_loads_within_the_limit_and_is_refused_with_line_and_column_beyond_it()
    {
        var gen = Gen.Select(Gen.Int[1, 1000], Gen.Bool, Gen.Bool);
        var cases = 0;
        gen.SampleFixed((depth, flow, inStage) =>
        {
            var value = flow ? string.Concat(Enumerable.Repeat("[", depth)) + "1" + new string(']', depth) : BlockNesting(depth, inStage ? 6 : 2);
            var yaml = inStage
                ? $"stages:\n  - id: 01_a\n    run: echo\n    config:\n      v: {value}\n"
                : $"config:\n  v: {value}\nstages:\n  - id: 01_a\n    run: echo\n";
            // Levels above the value: the top mapping and config (and for a stage, the list and the stage), then v's own;
            // block nesting has one more: the mapping that holds the innermost 'x: 1'.
            var levels = (inStage ? 4 : 2) + depth + (flow ? 0 : 1);
            try
            {
                PipelineFileLoader.Parse(yaml, "/p/waybill.yaml", limits: Limits with { MaxBytes = 1 << 24 });
                Assert.True(levels <= Limits.MaxDepth, $"{levels} levels loaded");
            }
            catch (PipelineInvalidException e)
            {
                Assert.True(levels > Limits.MaxDepth, e.Message);
                Assert.Contains("more than 32 levels deep", e.Message);
                Assert.NotNull(Assert.Single(e.Errors).Location);
            }
            Interlocked.Increment(ref cases);
        }, iter: 150);
        ReliabilityFigures.Record("Pipeline loader property cases: nesting depths up to 1,000", cases.ToString(CultureInfo.InvariantCulture));
    }

    private static string BlockNesting(int depth, int indent)
    {
        var text = new StringBuilder("\n");
        for (var level = 0; level < depth; level++) text.Append(' ', indent + (2 * (level + 1))).Append("k:\n");
        return text.Append(' ', indent + (2 * (depth + 1))).Append("x: 1").ToString();
    }

    [Fact]
    public void Alias_bombs_load_when_their_expansion_fits_and_are_refused_with_a_location_when_not()
    {
        var gen = Gen.Select(Gen.Int[1, 12], Gen.Int[1, 12], Gen.Bool);
        var cases = 0;
        gen.SampleFixed((levels, width, selfReference) =>
        {
            var yaml = new StringBuilder("config:\n");
            yaml.Append("  l0: &l0 [").Append(string.Join(", ", Enumerable.Repeat("x", width))).Append("]\n");
            for (var level = 1; level <= levels; level++)
            {
                var alias = selfReference && level == levels ? $"*l{level}" : $"*l{level - 1}";
                yaml.Append(CultureInfo.InvariantCulture, $"  l{level}: &l{level} [")
                    .Append(string.Join(", ", Enumerable.Repeat(alias, width))).Append("]\n");
            }
            yaml.Append("stages:\n  - id: 01_a\n    run: echo\n");
            // Values once expanded: the config mapping, then each level's list holding width copies of the level below.
            var size = 1.0 + width;
            var values = 1.0 + size;
            for (var level = 1; level <= levels; level++) values += size = 1 + (width * size);
            var aliases = (long)levels * width;
            var fits = !selfReference && aliases <= Limits.MaxAliases && values <= Limits.MaxNodes;
            var clock = Stopwatch.StartNew();
            try
            {
                PipelineFileLoader.Parse(yaml.ToString(), "/p/waybill.yaml", limits: Limits);
                Assert.True(fits, $"{levels}x{width} ({values} values) loaded");
            }
            catch (PipelineInvalidException e)
            {
                var error = Assert.Single(e.Errors);
                Assert.NotNull(error.Location);
                Assert.False(fits, $"{levels}x{width} ({values} values) refused: {error}");
                Assert.Matches("would contain itself|uses aliases|values once its aliases are expanded", error.Message);
            }
            // A safety net: an alias bomb expanded before it is refused takes minutes; a busy machine may stall a case for seconds.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{levels}x{width} took {clock.Elapsed}");
            Interlocked.Increment(ref cases);
        }, iter: 200);
        ReliabilityFigures.Record("Pipeline loader property cases: alias bombs up to 12 levels of 12", cases.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Any_set_argument_is_applied_or_refused_with_a_clear_message()
    {
        var key = Gen.OneOf(Gen.String[Gen.Char["ab.-_ 1\t\n=$"], 0, 12], Gen.Const("config."), Gen.Const("01_a.v"), Gen.Const("a.b.c"));
        var gen = Gen.OneOf(Gen.Select(key, Gen.String[Gen.Char["xy1 =.\n"], 0, 6], (k, v) => k + "=" + v), Gen.String[Gen.Char["ab.=\n "], 0, 16]);
        var cases = 0;
        var accepted = 0;
        gen.SampleFixed(argument =>
        {
            try
            {
                var pipeline = PipelineFileLoader.Parse("stages:\n  - id: 01_a\n    run: echo\n", "/p/waybill.yaml", [argument], limits: Limits);
                var eq = argument.IndexOf('=', StringComparison.Ordinal);
                Assert.Null(OverrideKeys.Problem(argument[..eq]));
                Interlocked.Increment(ref accepted);
            }
            catch (PipelineInvalidException e)
            {
                var error = Assert.Single(e.Errors);
                Assert.Equal("--set", error.Field);
                Assert.Matches("is not key=value|is malformed: the key", error.Message);
                Assert.DoesNotContain('\n', error.ToString());
            }
            Interlocked.Increment(ref cases);
        }, iter: 3000);
        Assert.InRange(accepted, 1, cases - 1);
        ReliabilityFigures.Record("--set parsing property cases", cases.ToString(CultureInfo.InvariantCulture));
    }
}
