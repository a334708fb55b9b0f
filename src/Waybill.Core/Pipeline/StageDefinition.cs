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
    /// <summary>
    /// A fan-out stage's <c>foreach:</c>, also on the stages that follow its items by reading a per-item output (whose
    /// own <see cref="FanOutRoot"/> names the stage that has the <c>foreach:</c>). Null for a stage that runs once.
    /// </summary>
    public FanOut.ForeachSpec? Foreach { get; init; }
    /// <summary>The stage whose <c>foreach:</c> this stage runs once per item of (itself, or the upstream it follows).</summary>
    public string? FanOutRoot { get; init; }
    /// <summary>One stage run of a fan-out: the item it runs for (its id is <c>NN_name[key]</c>); null otherwise.</summary>
    public FanOut.FanOutItem? Item { get; init; }
    /// <summary>The fan-out stage an item run belongs to (<c>06_asr</c> for <c>06_asr[episode-01]</c>); null otherwise.</summary>
    public string? TemplateId { get; init; }
    public SourceLocation? Location { get; init; }
    /// <summary>The units the stage reports its use of (<c>reports: [tokens]</c>), which the rate card may price.</summary>
    internal IReadOnlyList<string> Reports { get; init; } = [];
    /// <summary>Where the value of <c>run:</c> starts in the pipeline file, to point at a placeholder inside it.</summary>
    public SourceLocation? CommandLocation { get; init; }

    /// <summary>The stage's id without an item key: the fan-out stage for an item run, the id otherwise.</summary>
    public string BaseId => TemplateId ?? Id;

    /// <summary>Log category suffix and display name: <c>asr</c>, or <c>asr:episode-01</c> for an item run.</summary>
    public string DisplayName => Item is null ? Name : Name + ":" + Item.Key;

    /// <summary>A template of per-item runs, expanded before or during the run; it never runs itself.</summary>
    public bool IsFanOut => Foreach is not null && Item is null;

    /// <summary>Every stage this one waits for: producers of its inputs, then <see cref="After"/>.</summary>
    public IEnumerable<string> DependsOn => Inputs.Where(i => i.FromStage is not null).Select(i => i.FromStage!).Concat(After)
        .Concat(IsFanOut && Foreach!.FromStage is { } source ? [source] : []).Distinct(StringComparer.Ordinal);

    /// <summary>A copy with other inputs, <c>after:</c> and fan-out fields: an item run, or a stage rewired to item runs.</summary>
    internal StageDefinition Rewired(string id, IReadOnlyList<InputDeclaration> inputs, IReadOnlyList<string> after, FanOut.ForeachSpec? spec,
        string? root, FanOut.FanOutItem? item) => new()
    {
        Id = id, Number = Number, Name = Name, Kind = Kind, Command = Command, Uses = Uses, Factory = Factory, Description = Description,
        Inputs = inputs, Outputs = Outputs, Config = Config, Env = Env, After = after, Tools = Tools, Controls = Controls,
        Foreach = spec, FanOutRoot = root, Item = item, TemplateId = item is null ? TemplateId : Id, Location = Location,
        CommandLocation = CommandLocation, Reports = Reports,
    };
}
