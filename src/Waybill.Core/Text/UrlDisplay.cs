namespace Waybill.Core.Text;

/// <summary>
/// A URL as messages and records show it: a mirror or a collector may carry credentials (<c>user:password@</c>) or a signed
/// query (<c>?token=…</c>), which are used for the request but never printed.
/// </summary>
public static class UrlDisplay
{
    public static string Of(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.IsFile || !url.IsAbsoluteUri || (url.UserInfo.Length == 0 && url.Query.Length == 0)) return url.ToString();
        var shown = new UriBuilder(url) { UserName = "", Password = "", Query = "" }.Uri.ToString();
        return url.Query.Length > 0 ? shown + "?…" : shown;
    }

    /// <summary>
    /// Text that should have been a URL but could not be read as one, shown without what may be credentials: whatever
    /// stands before an <c>@</c> in its authority, and its query.
    /// </summary>
    public static string OfText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        var authorityStart = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = text.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0) authorityEnd = text.Length;
        var at = text.LastIndexOf('@', authorityEnd - 1, authorityEnd - authorityStart);
        var shown = at < 0 ? text : text[..authorityStart] + text[(at + 1)..];
        var query = shown.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? shown : shown[..query] + "?…";
    }
}
