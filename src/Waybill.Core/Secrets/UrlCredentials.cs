using System.Text.RegularExpressions;

namespace Waybill.Core.Secrets;

/// <summary>
/// Credentials inside URLs: the password of <c>user:password@host</c> and query parameters under secret names
/// (<c>api_key=</c>, <c>token=</c>, <c>sig=</c>…). Masked whatever their length, wherever a URL is written down.
/// </summary>
public static partial class UrlCredentials
{
    private static readonly string[] QueryNames = ["sig", "signature"];

    /// <summary>Every URL in <paramref name="text"/> with its credentials masked as <c>***</c>.</summary>
    public static string Mask(string text)
    {
        if (!text.Contains("://", StringComparison.Ordinal)) return text;
        return Url().Replace(text, url =>
        {
            var masked = UserInfo().Replace(url.Value,
                m => m.Groups["password"].Length == 0 ? m.Value : m.Groups["user"].Value + ":" + Redactor.Mask + "@", 1);
            return Query().Replace(masked, m => IsSecretParameter(m.Groups["name"].Value) ? m.Groups["name"].Value + "=" + Redactor.Mask : m.Value);
        });
    }

    /// <summary>The secret values in one URL (password, secret query values, raw and decoded), to register with a <see cref="Redactor"/>.</summary>
    public static IEnumerable<string> SecretsIn(string url)
    {
        foreach (Match m in Url().Matches(url))
        {
            var user = UserInfo().Match(m.Value);
            if (user.Success && user.Groups["password"].Length > 0)
            {
                yield return user.Groups["password"].Value;
                yield return Uri.UnescapeDataString(user.Groups["password"].Value);
            }
            foreach (Match q in Query().Matches(m.Value))
            {
                if (!IsSecretParameter(q.Groups["name"].Value) || q.Groups["value"].Length == 0) continue;
                yield return q.Groups["value"].Value;
                yield return Uri.UnescapeDataString(q.Groups["value"].Value.Replace('+', ' '));
            }
        }
    }

    private static bool IsSecretParameter(string name)
    {
        var decoded = Uri.UnescapeDataString(name);
        // Signed URLs: sig=, X-Amz-Signature=.
        return Redactor.IsSecretName(decoded) || QueryNames.Contains(decoded.Split('_', '.', '-')[^1], StringComparer.OrdinalIgnoreCase);
    }

    // The scheme is at most 32 characters: unbounded, a long run of letters before a "://" later in a line made every start
    // position scan the whole run again (a 200 KB log line took 2.6 s to mask, a 1 MiB one over a minute); bounded, it is linear.
    [GeneratedRegex(@"[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s""'<>`]+", RegexOptions.CultureInvariant)]
    private static partial Regex Url();

    [GeneratedRegex(@"(?<=://)(?<user>[^\s/?#@:]*):(?<password>[^\s/?#@]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();

    [GeneratedRegex(@"(?<=[?&;])(?<name>[^\s=&#;?]+)=(?<value>[^\s&#;]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Query();
}
