namespace Waybill.Media.Models;

/// <summary>
/// The folder models live in: <c>WAYBILL_MODEL_DIR</c> when set, else <c>~/.cache/waybill/models</c>. Stages, the
/// <c>models</c> command and the auto backend choice all look here, so a model fetched once serves every job.
/// </summary>
public static class ModelFolder
{
    public const string EnvironmentVariable = "WAYBILL_MODEL_DIR";

    public static string Default =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "waybill", "models");

    /// <summary>The folder for a <c>WAYBILL_MODEL_DIR</c> value (null or blank: the default), with <c>~</c> expanded.</summary>
    public static string Resolve(string? configured, string baseDirectory) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Default : ExpandHome(configured.Trim()), baseDirectory);

    public static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.Length > 2 ? path[2..] : "")
            : path;
}
