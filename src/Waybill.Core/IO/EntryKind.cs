namespace Waybill.Core.IO;

/// <summary>What a path names itself, links not followed (lstat).</summary>
public enum EntryKind
{
    Missing,
    File,
    Directory,
    SymbolicLink,
    Other,
}
