namespace Waybill.Core.Manifests;

/// <summary>Bounds on a manifest read back, so that a damaged or replaced file cannot exhaust memory.</summary>
internal static class ManifestLimits
{
    /// <summary>
    /// 128 MiB: the largest manifest Waybill writes is a job manifest, 4.3 MB for 9,999 stages (so about 43 MB for
    /// 100,000 fan-out items); a stage manifest is a few kilobytes.
    /// </summary>
    public const int MaxBytes = 128 << 20;

    /// <summary>A manifest's bytes, or a clear error when the file is larger than any manifest Waybill writes.</summary>
    public static byte[] ReadBytes(string path)
    {
        if (IO.BoundedFileRead.TryReadAllBytes(path, MaxBytes, out var bytes)) return bytes;
        throw new ManifestFormatException(path, $"too large to be a manifest: more than {MaxBytes >> 20} MiB "
            + "(is it a link to a device or to another file?); remove it, or the stage's folder, and run again");
    }
}
