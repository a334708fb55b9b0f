namespace Waybill.Media.Models.Fetching;

/// <summary>
/// A download URL as messages and records show it: a mirror may carry credentials (<c>user:password@</c>) or a signed
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
}
