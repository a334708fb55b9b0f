using Waybill.Core.Hashing;

namespace Waybill.Media.Models;

/// <summary>What is in the model folder for a model: nothing, a file of the wrong size, or its file (checksum checked or not).</summary>
public enum ModelFileState
{
    Missing,
    WrongSize,
    /// <summary>The file has the pinned size; its checksum was not computed.</summary>
    Present,
    Verified,
    ChecksumMismatch,
}

/// <summary>The state of one model's file, with its actual size and (when computed) SHA-256.</summary>
public sealed record ModelFileStatus(KnownModel Model, string Path, ModelFileState State, long? SizeBytes, string? ActualSha256);

/// <summary>Looks at a model's file in the model folder: size always, SHA-256 when asked (it reads the whole file).</summary>
public static class ModelFileCheck
{
    public static ModelFileStatus Check(KnownModel model, string modelFolder, bool checksum)
    {
        var path = System.IO.Path.Combine(modelFolder, model.FileName);
        var info = new FileInfo(path);
        if (!info.Exists) return new ModelFileStatus(model, path, ModelFileState.Missing, null, null);
        if (model.SizeBytes is { } expected && info.Length != expected)
            return new ModelFileStatus(model, path, ModelFileState.WrongSize, info.Length, null);
        if (!checksum || model.Sha256 is null) return new ModelFileStatus(model, path, ModelFileState.Present, info.Length, null);
        var actual = Sha256Of(path);
        var state = string.Equals(actual, model.Sha256, StringComparison.OrdinalIgnoreCase) ? ModelFileState.Verified : ModelFileState.ChecksumMismatch;
        return new ModelFileStatus(model, path, state, info.Length, actual);
    }

    /// <summary>The file's SHA-256 as 64 lowercase hex digits.</summary>
    public static string Sha256Of(string path) => StripPrefix(FileHasher.Compute(path, ChecksumAlgorithm.Sha256));

    /// <summary>"sha256:abc…" → "abc…".</summary>
    internal static string StripPrefix(string checksum) => checksum[(checksum.IndexOf(':', StringComparison.Ordinal) + 1)..];
}
