using System.Text.Json.Nodes;
using Waybill.Core.Pipeline.Controls;
using Waybill.Core.Stages;

namespace Waybill.Core.Pipeline;

/// <summary>One numbered stage (<c>NN_name</c>) of a pipeline.</summary>
public sealed class StageDefinition
{
    public required string Id { get; init; }
    public required int Number { get; init; }
    public required string Name { get; init; }
    public required StageKind Kind { get; init; }
    /// <summary>The shell command of a command stage, with placeholders not yet expanded.</summary>
    public string? Command { get; init; }
    /// <summary>The built-in's name for <see cref="StageKind.Builtin"/>.</summary>
    public string? Uses { get; init; }
    /// <summary>Creates the stage for <see cref="StageKind.Code"/> (and for built-ins, once resolved).</summary>
    public Func<IStage>? Factory { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<InputDeclaration> Inputs { get; init; } = [];
    public IReadOnlyList<OutputDeclaration> Outputs { get; init; } = [];
    /// <summary>This stage's own config; <see cref="PipelineDefinition.ConfigFor"/> merges it over the pipeline's.</summary>
    public JsonObject Config { get; init; } = [];
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Stages that must finish first although no file links them.</summary>
    public IReadOnlyList<string> After { get; init; } = [];
    /// <summary>Tool name → command that prints its version (first line is recorded), e.g. <c>ffmpeg: ffmpeg -version</c>.</summary>
    public IReadOnlyDictionary<string, string> Tools { get; init; } = new Dictionary<string, string>();
    /// <summary>Timeout, retries, resource requests and whether a failure stops the job.</summary>
    public StageControls Controls { get; init; } = StageControls.None;
    public SourceLocation? Location { get; init; }
    /// <summary>Where the value of <c>run:</c> starts in the pipeline file, to point at a placeholder inside it.</summary>
    public SourceLocation? CommandLocation { get; init; }

    /// <summary>Every stage this one waits for: producers of its inputs, then <see cref="After"/>.</summary>
    public IEnumerable<string> DependsOn => Inputs.Where(i => i.FromStage is not null).Select(i => i.FromStage!).Concat(After).Distinct(StringComparer.Ordinal);
}
