namespace Waybill.Media.Stages.Translation;

/// <summary>Language names for the prompt: models follow "German" more reliably than "de".</summary>
public static class LanguageNames
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ar"] = "Arabic", ["bg"] = "Bulgarian", ["cs"] = "Czech", ["da"] = "Danish", ["de"] = "German", ["el"] = "Greek",
        ["en"] = "English", ["es"] = "Spanish", ["et"] = "Estonian", ["fa"] = "Persian", ["fi"] = "Finnish", ["fr"] = "French",
        ["he"] = "Hebrew", ["hi"] = "Hindi", ["hr"] = "Croatian", ["hu"] = "Hungarian", ["id"] = "Indonesian", ["it"] = "Italian",
        ["ja"] = "Japanese", ["ko"] = "Korean", ["lt"] = "Lithuanian", ["lv"] = "Latvian", ["nl"] = "Dutch", ["no"] = "Norwegian",
        ["nb"] = "Norwegian Bokmål", ["pl"] = "Polish", ["pt"] = "Portuguese", ["ro"] = "Romanian", ["ru"] = "Russian",
        ["sk"] = "Slovak", ["sl"] = "Slovenian", ["sr"] = "Serbian", ["sv"] = "Swedish", ["th"] = "Thai", ["tr"] = "Turkish",
        ["uk"] = "Ukrainian", ["vi"] = "Vietnamese", ["zh"] = "Chinese",
    };

    /// <summary>"German (de)" for a known code, the text as given otherwise ("Swiss German").</summary>
    public static string Describe(string language)
    {
        var code = language.Split('-', '_')[0];
        return Names.TryGetValue(code, out var name) ? $"{name} ({language})" : language;
    }
}
