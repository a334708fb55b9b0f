namespace Waybill.Core.Execution.Resources;

/// <summary>
/// The stages of a run that are running now. An in-process stage's CPU and memory figures are the engine's, so they are
/// the stage's own only when no other stage ran beside it (<see cref="RunningStage.Overlapped"/>).
/// </summary>
internal sealed class RunningStages
{
    private readonly Lock _gate = new();
    private readonly List<RunningStage> _running = [];

    public RunningStage Enter()
    {
        var entry = new RunningStage(this);
        lock (_gate)
        {
            if (_running.Count > 0)
            {
                entry.Overlapped = true;
                foreach (var other in _running) other.Overlapped = true;
            }
            _running.Add(entry);
        }
        return entry;
    }

    internal void Leave(RunningStage entry)
    {
        lock (_gate) _running.Remove(entry);
    }
}
