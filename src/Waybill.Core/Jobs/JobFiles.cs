using Waybill.Core.Hashing;
using Waybill.Core.Manifests;

namespace Waybill.Core.Jobs;

/// <summary>
/// The job-level files a run writes before its stages (metadata.json and the pipeline snapshot), sealed in the job
/// manifest's <c>job_files</c> from the bytes on disk right after they were written, whoever wrote them and however.
/// </summary>
public static class JobFiles
{
    /// <summary>Relative to the job folder. A file added under .waybill/ that resume reads belongs here too.</summary>
    public static readonly IReadOnlyList<string> Sealed = ["metadata.json", ".waybill/pipeline.yaml", ".waybill/run.json"];

    /// <summary>
    /// 128 MiB, the bound of a manifest, or the pipeline file limit when WAYBILL_MAX_PIPELINE_BYTES raises it above that:
    /// the largest of these files is the pipeline snapshot, the pipeline file with its secrets masked (1 MiB by default);
    /// run.json is read back up to 16 MiB, and metadata.json is a few hundred bytes.
    /// </summary>
    internal static int MaxBytes =>
        (int)Math.Clamp(Pipeline.Limits.PipelineLimits.FromEnvironment().MaxBytes, ManifestLimits.MaxBytes, Array.MaxLength);

    /// <exception cref="IO.FileLimitException">One of the files is larger than <see cref="MaxBytes"/>.</exception>
    public static List<SealedFile> Seal(JobLayout layout, ChecksumAlgorithm algorithm)
    {
        var seals = new List<SealedFile>();
        foreach (var relative in Sealed)
        {
            var full = layout.Resolve(relative);
            if (!File.Exists(full)) continue;
            var bytes = IO.BoundedFileRead.ReadAllBytes(full, MaxBytes, "job-level file Waybill writes",
                "it was replaced while the run was writing it; restore it, or remove the job folder and run the pipeline again");
            seals.Add(new SealedFile { Path = relative, SizeBytes = bytes.Length, Checksum = ContentHash.Of(algorithm, bytes) });
        }
        return seals;
    }

    /// <summary>What the file is now when it no longer matches its seal ("missing" or its checksum); null when it matches.</summary>
    /// <exception cref="IO.FileLimitException">The file is larger than <see cref="MaxBytes"/> (hashing a link to /dev/zero never ends).</exception>
    public static string? Difference(JobLayout layout, SealedFile seal)
    {
        var full = layout.Resolve(seal.Path);
        if (!File.Exists(full)) return "missing";
        var bytes = IO.BoundedFileRead.ReadAllBytes(full, MaxBytes, "job-level file Waybill writes",
            $"restore it, or run the pipeline again with --job-id {layout.JobId} to write it anew");
        var actual = ContentHash.Of(Integrity.RecordedChecksum.AlgorithmOf(seal.Checksum), bytes);
        return string.Equals(actual, seal.Checksum, StringComparison.OrdinalIgnoreCase) ? null : actual;
    }
}
