namespace Waybill.Tests.Support;

/// <summary>The repository root (the folder holding Waybill.sln), found upwards from the test build's output folder.</summary>
public static class RepositoryRoot
{
    /// <summary>The root, or null when the tests run outside a checkout.</summary>
    public static string? Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Waybill.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }

    /// <summary>The root, for samples/, docs/ and schemas/.</summary>
    public static string Required => Find() ?? throw new InvalidOperationException("repository root not found");
}
