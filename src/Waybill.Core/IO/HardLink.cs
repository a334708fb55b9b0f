using System.Runtime.InteropServices;

namespace Waybill.Core.IO;

/// <summary>How a file reached its new place: a second name for the same bytes, or a copy of them.</summary>
internal enum PlacedBy
{
    HardLink,
    Copy,
}

/// <summary>
/// Gives a file a second name (link(2)) where the file system allows it, and copies it where it does not (another file
/// system: EXDEV; one without hard links: EPERM; too many links: EMLINK). The destination must not exist.
/// </summary>
internal static partial class HardLink
{
    public static PlacedBy LinkOrCopy(string source, string destination)
    {
        if (Link(source, destination) == 0) return PlacedBy.HardLink;
        // Whatever link(2) refused, a copy is the answer; a source that is gone or unreadable fails the copy in its own words.
        File.Copy(source, destination, overwrite: false);
        return PlacedBy.Copy;
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string from, string to);
}
