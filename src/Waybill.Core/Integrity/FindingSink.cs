namespace Waybill.Core.Integrity;

/// <summary>Findings gathered from parallel checks, and the count of files looked at; sorted into report order at the end.</summary>
internal sealed class FindingSink
{
    private readonly Lock _gate = new();
    private readonly List<Finding> _findings = [];
    private int _filesChecked;

    public void Add(Finding finding)
    {
        lock (_gate) _findings.Add(finding);
    }

    public void FileChecked() => Interlocked.Increment(ref _filesChecked);

    /// <summary>Job-level findings first, then stage by stage in pipeline order; within a group errors, warnings, infos, then by path.</summary>
    public VerifyReport ToReport(string jobRoot, IReadOnlyList<string> stageOrder)
    {
        var position = stageOrder.Select((id, index) => (id, index)).DistinctBy(p => p.id).ToDictionary(p => p.id, p => p.index, StringComparer.Ordinal);
        lock (_gate)
        {
            var ordered = _findings
                .OrderBy(f => f.Stage is null ? -1 : position.GetValueOrDefault(f.Stage, stageOrder.Count))
                .ThenBy(f => f.Stage, StringComparer.Ordinal)
                .ThenBy(f => f.Severity)
                .ThenBy(f => f.Path, StringComparer.Ordinal)
                .ThenBy(f => f.Kind, StringComparer.Ordinal)
                .ThenBy(f => f.Message, StringComparer.Ordinal)
                .ToList();
            return new VerifyReport(jobRoot, _filesChecked, ordered);
        }
    }
}
