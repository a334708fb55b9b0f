namespace Waybill.Core.Pipeline;

public enum StageKind
{
    /// <summary>A shell command from the pipeline file.</summary>
    Command,
    /// <summary>A stage that ships with Waybill, named by <c>uses:</c>.</summary>
    Builtin,
    /// <summary>A C# <see cref="Stages.IStage"/> composed in code.</summary>
    Code,
}
