using Waybill.Core.IO;
using Waybill.Core.Jobs;
using Waybill.Core.Retention;

namespace Waybill.Core.Execution;

/// <summary>
/// Outputs are written inside the job folder only. A declared output replaced by a symbolic link, or reached through a
/// linked folder, that leads out of the job would make a stage overwrite a file the job does not own (and record its
/// size): such a path is refused, as <c>clean</c> refuses to delete through one.
/// </summary>
internal static class OutputLinks
{
    /// <summary>Null when writing to the output lands inside the job folder; otherwise why it does not.</summary>
    public static string? Problem(JobLayout layout, string stageDir, string relativePath)
    {
        // Only entries below the job folder are looked at: the job folder itself may live anywhere (a linked out/ is fine).
        // One lstat per path component, so a stage with plain outputs pays a few system calls and no resolution.
        if (!HasLink(stageDir, relativePath)) return null;
        var full = Path.GetFullPath(Path.Combine(stageDir, relativePath));
        string? outside;
        try
        {
            outside = RealPath.OutsideOf(full, layout.Root);
        }
        catch (IOException e)
        {
            return $"is reached through a symbolic link that cannot be resolved ({e.Message})";
        }
        return outside is null ? null : $"leads through a symbolic link to {outside}, outside the job folder {layout.Root}";
    }

    /// <summary>
    /// Null when <paramref name="full"/> may be recorded as an output: a file inside the job folder, reached through no link
    /// that leads out; otherwise why not, naming the path as <paramref name="shown"/> and ending with <paramref name="instead"/>.
    /// </summary>
    public static string? OutsideJob(JobLayout layout, string full, string shown, string instead)
    {
        if (!layout.IsInside(full) || full == layout.Root)
            return $"output {shown} is outside the job folder {layout.Root}: outputs are files inside the job folder ({instead})";
        if (Problem(layout, layout.Root, layout.RelativeToJob(full)!) is { } linked)
            return $"output {shown} {linked}; outputs are files inside the job folder";
        return null;
    }

    private static bool HasLink(string stageDir, string relativePath)
    {
        var current = stageDir;
        var kind = PathEntry.KindOf(current);
        foreach (var part in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (kind != EntryKind.Directory) break; // a link, or nothing further exists, so nothing further can lead anywhere
            current = Path.Combine(current, part);
            kind = PathEntry.KindOf(current);
        }
        return kind == EntryKind.SymbolicLink;
    }
}
