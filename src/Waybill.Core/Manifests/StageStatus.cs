namespace Waybill.Core.Manifests;

public enum StageStatus
{
    Pending,
    Running,
    Success,
    Failed,
    Skipped,
    Cancelled,
}

public static class StageStatusText
{
    public static string ToText(this StageStatus status) => status switch
    {
        StageStatus.Pending => "pending",
        StageStatus.Running => "running",
        StageStatus.Success => "success",
        StageStatus.Failed => "failed",
        StageStatus.Skipped => "skipped",
        _ => "cancelled",
    };

    public static StageStatus Parse(string text) => text switch
    {
        "pending" => StageStatus.Pending,
        "running" => StageStatus.Running,
        "success" => StageStatus.Success,
        "failed" => StageStatus.Failed,
        "skipped" => StageStatus.Skipped,
        "cancelled" => StageStatus.Cancelled,
        _ => throw new FormatException($"unknown stage status '{text}'"),
    };
}
