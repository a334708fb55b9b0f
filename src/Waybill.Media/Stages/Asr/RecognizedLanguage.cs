using Waybill.Media.Tools;

namespace Waybill.Media.Stages.Asr;

/// <summary>The transcript's language: the configured one, or the one the recogniser heard when the config says <c>auto</c>.</summary>
public static class RecognizedLanguage
{
    private const int LongestName = 32;

    /// <summary>
    /// <paramref name="configured"/> unless it is <c>auto</c> (or empty) and the recogniser named a language: a language the
    /// user set is what they asked the recogniser for, and what the tracks are tagged with.
    /// </summary>
    public static string Resolve(string configured, string? detected) =>
        IsAuto(configured) && !string.IsNullOrWhiteSpace(detected) ? detected : configured;

    public static bool IsAuto(string language) => language.Trim().Length == 0 || language.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>A tool's language as an ISO code: <c>de</c>, <c>deu</c> and <c>German</c> give <c>de</c>; anything else null.</summary>
    public static string? Normalize(string? language)
    {
        if (string.IsNullOrWhiteSpace(language) || language.Length > LongestName) return null;
        var text = language.Trim();
        if (IsoLanguage.FromName(text) is { } byName) return byName;
        if (IsoLanguage.ToIso6392(text) is null || IsoLanguage.Name(text) is null) return null;
        return IsoLanguage.FromName(IsoLanguage.Name(text));
    }
}
