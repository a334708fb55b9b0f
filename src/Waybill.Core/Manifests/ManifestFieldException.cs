namespace Waybill.Core.Manifests;

/// <summary>
/// A manifest that is well-formed JSON but has a field of the wrong kind (a date that is no date, a number in quotes):
/// names the field, where it is, what it holds and what it should hold.
/// </summary>
public sealed class ManifestFieldException(string path, string reason, string field, string expected, string actual)
    : ManifestFormatException(path, reason)
{
    /// <summary>The field as a path from the manifest's root: <c>started_utc</c>, <c>outputs[0].size_bytes</c>.</summary>
    public string Field { get; } = field;
    public string Expected { get; } = expected;
    /// <summary>The field's JSON text, shortened when long.</summary>
    public string Actual { get; } = actual;
}
