namespace Waybill.Core.Secrets;

/// <summary>
/// The environment variable that gives a secret config value again to <c>resume</c> and <c>exec-stage</c>:
/// <c>WAYBILL_SECRET_</c> and the dotted key in capitals with every other character as <c>_</c>
/// (<c>password</c> → <c>WAYBILL_SECRET_PASSWORD</c>, <c>02_fetch.api_key</c> → <c>WAYBILL_SECRET_02_FETCH_API_KEY</c>).
/// </summary>
public static class SecretVariables
{
    public const string Prefix = "WAYBILL_SECRET_";

    public static string For(string configKey) =>
        Prefix + string.Concat(configKey.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));
}
