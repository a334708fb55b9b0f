using System.Text.RegularExpressions;

namespace Waybill.Core.Secrets;

/// <summary>
/// Replaces secret values with <c>***</c> in anything the engine writes: log lines, manifests, events, reports.
/// Credentials inside URLs (<c>user:password@</c>, <c>?api_key=</c>) are masked too, known or not (<see cref="UrlCredentials"/>).
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "***";
    private string[] _secrets = [];
    private readonly Lock _gate = new();

    public static Redactor None { get; } = new();

    /// <summary>Names that hold secrets by convention: api_key, TMDB_API_KEY, token, client_secret, password…</summary>
    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    /// <summary>Adds a value to hide. Very short values are ignored: masking "1" everywhere would destroy every log.</summary>
    public void Add(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 4) return;
        lock (_gate)
        {
            if (Array.IndexOf(_secrets, value) >= 0) return;
            // Longest first, so a secret that contains another is masked whole.
            _secrets = [.. _secrets.Append(value).OrderByDescending(s => s.Length)];
        }
    }

    /// <summary>Adds every value <paramref name="other"/> hides.</summary>
    public void AddAll(Redactor other)
    {
        foreach (var secret in other._secrets) Add(secret);
    }

    /// <summary>Registers every environment variable whose name marks it as a secret.</summary>
    public void AddSecretEnvironment(IEnumerable<KeyValuePair<string, string>> environment)
    {
        foreach (var (name, value) in environment)
            if (IsSecretName(name)) Add(value);
    }

    public bool HasSecrets => _secrets.Length > 0;

    public string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var secret in _secrets)
            if (text.Contains(secret, StringComparison.Ordinal)) text = text.Replace(secret, Mask, StringComparison.Ordinal);
        return UrlCredentials.Mask(text);
    }

    // Whole name segments only: TMDB_API_KEY, access_token, client-secret, db.password — but not max_tokens or keyframes.
    [GeneratedRegex(@"(^|[_.-])(key|apikey|token|secret|password|passwd|pass|credential|credentials)($|[_.-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SecretName();
}
