namespace Waybill.Core.Manifests;

/// <summary>
/// The JSON names of a file record's own fields. A file record's metadata is written beside them in one object, so a
/// metadata key with one of these names would make the record unreadable or change what it says: it is refused.
/// </summary>
internal static class FileRecordFields
{
    public static readonly HashSet<string> Names =
        [.. ManifestJsonContext.Default.FileRecord.Properties.Where(p => !p.IsExtensionData).Select(p => p.Name)];

    /// <summary>The metadata keys that name a field, in the order given.</summary>
    public static List<string> TakenBy(IEnumerable<string> keys) => [.. keys.Where(Names.Contains)];
}
