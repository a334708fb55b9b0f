namespace Waybill.Core.Execution.Resources;

/// <summary>One running stage in <see cref="RunningStages"/>; disposing it says the stage has finished.</summary>
internal sealed class RunningStage(RunningStages owner) : IDisposable
{
    private volatile bool _overlapped;

    /// <summary>True once another stage of the run has been running at the same time as this one.</summary>
    public bool Overlapped
    {
        get => _overlapped;
        set => _overlapped = value;
    }

    public void Dispose() => owner.Leave(this);
}
