namespace Waybill.Core.Integrity;

public enum ProbedKind
{
    RegularFile,
    Missing,
    Directory,
    /// <summary>A symbolic link whose target does not exist.</summary>
    DanglingLink,
    /// <summary>A symbolic link that leads back to itself (ELOOP).</summary>
    SymlinkLoop,
    /// <summary>The path cannot be examined (permissions on a folder above it, I/O error).</summary>
    Unreadable,
}

/// <summary>What is at a path, following symbolic links, told apart so a damaged job gets a clear finding instead of an exception.</summary>
public sealed record ProbedFile(ProbedKind Kind, long Length = 0, DateTime LastWriteUtc = default, string? Detail = null)
{
    /// <summary>What is wrong, to follow a file's name ("… is missing"); null for a regular file.</summary>
    public string? Problem => Kind switch
    {
        ProbedKind.RegularFile => null,
        ProbedKind.Missing => "is missing",
        ProbedKind.Directory => "is a directory, not a file",
        ProbedKind.DanglingLink => $"is a symbolic link to {Detail}, which does not exist",
        ProbedKind.SymlinkLoop => "is a symbolic link loop (ELOOP) and cannot be read",
        _ => $"cannot be examined: {Detail}",
    };
}

public static class FileProbe
{
    public static ProbedFile Probe(string path)
    {
        try
        {
            FileSystemInfo entry = new FileInfo(path);
            if (!entry.Exists) return Directory.Exists(path) ? new ProbedFile(ProbedKind.Directory) : new ProbedFile(ProbedKind.Missing);
            // FileInfo describes a link itself; what counts is what it leads to.
            if (entry.LinkTarget is not null)
            {
                FileSystemInfo? target;
                try
                {
                    target = File.ResolveLinkTarget(path, returnFinalTarget: true);
                }
                catch (IOException e)
                {
                    return new ProbedFile(ProbedKind.SymlinkLoop, Detail: e.Message);
                }
                if (target is null || !target.Exists)
                    return Directory.Exists(target?.FullName) ? new ProbedFile(ProbedKind.Directory) : new ProbedFile(ProbedKind.DanglingLink, Detail: target?.FullName);
                entry = target;
            }
            if (entry is not FileInfo file) return new ProbedFile(ProbedKind.Directory);
            return new ProbedFile(ProbedKind.RegularFile, file.Length, file.LastWriteTimeUtc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProbedFile(ProbedKind.Unreadable, Detail: e.Message);
        }
    }
}
