using System.Text.Json.Nodes;

namespace Waybill.Core.Integrity;

/// <summary>What <c>waybill verify</c> found in one job folder: findings grouped by stage (job-level first), and counts.</summary>
public sealed class VerifyReport(string jobRoot, int filesChecked, IReadOnlyList<Finding> findings)
{
    public string JobRoot { get; } = jobRoot;
    public int FilesChecked { get; } = filesChecked;
    public IReadOnlyList<Finding> Findings { get; } = findings;
    public int Errors => Findings.Count(f => f.Severity == FindingSeverity.Error);
    public int Warnings => Findings.Count(f => f.Severity == FindingSeverity.Warning);
    public int Infos => Findings.Count(f => f.Severity == FindingSeverity.Info);
    /// <summary>Errors and warnings; infos are notes, not problems.</summary>
    public int Problems => Errors + Warnings;
    /// <summary>Sound: no errors. Warnings (an external input changed) leave the job sound but out of date.</summary>
    public bool IsSound => Errors == 0;

    /// <summary>The findings about these stage runs only (<c>verify --stage</c>); the whole job was checked all the same.</summary>
    public VerifyReport Only(IReadOnlySet<string> stageIds) =>
        new(JobRoot, FilesChecked, [.. Findings.Where(f => f.Stage is { } stage && stageIds.Contains(stage))]);

    public string SummaryLine() => $"verify: {FilesChecked} files checked, {Problems} problems ({Errors} errors, {Warnings} warnings)";

    public JsonObject ToJson() => new()
    {
        ["job"] = JobRoot,
        ["sound"] = IsSound,
        ["files_checked"] = FilesChecked,
        ["problems"] = Problems,
        ["errors"] = Errors,
        ["warnings"] = Warnings,
        ["infos"] = Infos,
        ["findings"] = new JsonArray([.. Findings.Select(f => (JsonNode)new JsonObject
        {
            ["severity"] = SeverityText(f.Severity),
            ["kind"] = f.Kind,
            ["stage"] = f.Stage,
            ["path"] = f.Path,
            ["field"] = f.Field,
            ["expected"] = f.Expected,
            ["actual"] = f.Actual,
            ["message"] = f.Message,
            ["hint"] = f.Hint,
        })]),
    };

    public static string SeverityText(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Error => "error",
        FindingSeverity.Warning => "warning",
        _ => "info",
    };
}
