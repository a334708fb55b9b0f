namespace Waybill.Core.Execution.Resources.Sampling;

/// <summary>The samples file's name and columns, and the default interval.</summary>
internal static class ResourceSampling
{
    /// <summary>In the stage run's folder, beside manifest.json.</summary>
    public const string FileName = Pipeline.StageFolderNames.Samples;

    public const string Header = Manifests.ResourceSamples.FileHeader;

    /// <summary>One second unless the stage's <c>sample_interval</c> says otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);
}
