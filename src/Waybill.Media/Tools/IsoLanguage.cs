namespace Waybill.Media.Tools;

/// <summary>
/// Language codes as the pipeline's config writes them (ISO 639-1, <c>en</c>) and as containers store them
/// (ISO 639-2, <c>eng</c>; some files use the bibliographic form, <c>ger</c> for German, others the terminology form, <c>deu</c>).
/// </summary>
public static class IsoLanguage
{
    // ISO 639-1 → ISO 639-2/T, the bibliographic form where it differs, and the English name.
    private static readonly (string One, string Three, string? Bibliographic, string Name)[] Table =
    [
        ("af", "afr", null, "Afrikaans"), ("ar", "ara", null, "Arabic"), ("bg", "bul", null, "Bulgarian"),
        ("bn", "ben", null, "Bengali"), ("bo", "bod", "tib", "Tibetan"), ("bs", "bos", null, "Bosnian"),
        ("ca", "cat", null, "Catalan"), ("cs", "ces", "cze", "Czech"), ("cy", "cym", "wel", "Welsh"),
        ("da", "dan", null, "Danish"), ("de", "deu", "ger", "German"), ("el", "ell", "gre", "Greek"),
        ("en", "eng", null, "English"), ("eo", "epo", null, "Esperanto"), ("es", "spa", null, "Spanish"),
        ("et", "est", null, "Estonian"), ("eu", "eus", "baq", "Basque"), ("fa", "fas", "per", "Persian"),
        ("fi", "fin", null, "Finnish"), ("fr", "fra", "fre", "French"), ("ga", "gle", null, "Irish"),
        ("gl", "glg", null, "Galician"), ("gu", "guj", null, "Gujarati"), ("he", "heb", null, "Hebrew"),
        ("hi", "hin", null, "Hindi"), ("hr", "hrv", null, "Croatian"), ("hu", "hun", null, "Hungarian"),
        ("hy", "hye", "arm", "Armenian"), ("id", "ind", null, "Indonesian"), ("is", "isl", "ice", "Icelandic"),
        ("it", "ita", null, "Italian"), ("ja", "jpn", null, "Japanese"), ("ka", "kat", "geo", "Georgian"),
        ("kk", "kaz", null, "Kazakh"), ("km", "khm", null, "Khmer"), ("kn", "kan", null, "Kannada"),
        ("ko", "kor", null, "Korean"), ("la", "lat", null, "Latin"), ("lt", "lit", null, "Lithuanian"),
        ("lv", "lav", null, "Latvian"), ("mk", "mkd", "mac", "Macedonian"), ("ml", "mal", null, "Malayalam"),
        ("mn", "mon", null, "Mongolian"), ("mr", "mar", null, "Marathi"), ("ms", "msa", "may", "Malay"),
        ("my", "mya", "bur", "Burmese"), ("nb", "nob", null, "Norwegian Bokmål"), ("ne", "nep", null, "Nepali"),
        ("nl", "nld", "dut", "Dutch"), ("nn", "nno", null, "Norwegian Nynorsk"), ("no", "nor", null, "Norwegian"),
        ("pa", "pan", null, "Punjabi"), ("pl", "pol", null, "Polish"), ("pt", "por", null, "Portuguese"),
        ("ro", "ron", "rum", "Romanian"), ("ru", "rus", null, "Russian"), ("si", "sin", null, "Sinhala"),
        ("sk", "slk", "slo", "Slovak"), ("sl", "slv", null, "Slovenian"), ("sq", "sqi", "alb", "Albanian"),
        ("sr", "srp", null, "Serbian"), ("sv", "swe", null, "Swedish"), ("sw", "swa", null, "Swahili"),
        ("ta", "tam", null, "Tamil"), ("te", "tel", null, "Telugu"), ("th", "tha", null, "Thai"),
        ("tl", "tgl", null, "Tagalog"), ("tr", "tur", null, "Turkish"), ("uk", "ukr", null, "Ukrainian"),
        ("ur", "urd", null, "Urdu"), ("uz", "uzb", null, "Uzbek"), ("vi", "vie", null, "Vietnamese"),
        ("zh", "zho", "chi", "Chinese"), ("zu", "zul", null, "Zulu"),
        // The rest of the languages Whisper detects.
        ("am", "amh", null, "Amharic"), ("as", "asm", null, "Assamese"), ("az", "aze", null, "Azerbaijani"), ("ba", "bak", null, "Bashkir"),
        ("be", "bel", null, "Belarusian"), ("br", "bre", null, "Breton"), ("fo", "fao", null, "Faroese"), ("ha", "hau", null, "Hausa"), ("haw", "haw", null, "Hawaiian"),
        ("ht", "hat", null, "Haitian Creole"), ("jv", "jav", null, "Javanese"), ("lb", "ltz", null, "Luxembourgish"), ("ln", "lin", null, "Lingala"),
        ("lo", "lao", null, "Lao"), ("mg", "mlg", null, "Malagasy"), ("mi", "mri", "mao", "Maori"), ("mt", "mlt", null, "Maltese"),
        ("oc", "oci", null, "Occitan"), ("ps", "pus", null, "Pashto"), ("sa", "san", null, "Sanskrit"), ("sd", "snd", null, "Sindhi"),
        ("sn", "sna", null, "Shona"), ("so", "som", null, "Somali"), ("su", "sun", null, "Sundanese"), ("tg", "tgk", null, "Tajik"),
        ("tk", "tuk", null, "Turkmen"), ("tt", "tat", null, "Tatar"), ("yi", "yid", null, "Yiddish"), ("yo", "yor", null, "Yoruba"),
    ];

    private static readonly Dictionary<string, int> Lookup = BuildLookup();

    private static Dictionary<string, int> BuildLookup()
    {
        var lookup = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < Table.Length; i++)
        {
            lookup[Table[i].One] = i;
            lookup[Table[i].Three] = i;
            if (Table[i].Bibliographic is { } b) lookup[b] = i;
        }
        lookup["fil"] = lookup["tl"];
        // Whisper names Javanese "jw".
        lookup["jw"] = lookup["jv"];
        return lookup;
    }

    /// <summary>
    /// The ISO 639-2/T code for <paramref name="code"/> (<c>en</c>, <c>eng</c>, <c>en-US</c>, <c>pt_BR</c>, <c>ger</c>);
    /// an unknown three-letter code is returned lower-cased as it is; anything else gives null.
    /// </summary>
    public static string? ToIso6392(string? code)
    {
        var primary = Primary(code);
        if (primary is null) return null;
        if (Lookup.TryGetValue(primary, out var i)) return Table[i].Three;
        return primary.Length == 3 && primary.All(char.IsAsciiLetter) ? primary.ToLowerInvariant() : null;
    }

    /// <summary>
    /// The code QuickTime's language table (which ffmpeg's MOV muxer writes) holds for <paramref name="code"/>: the
    /// bibliographic form where one exists, except for the four it keeps in the terminology form (measured with ffmpeg 5.1:
    /// <c>ger</c>, <c>dut</c> and <c>chi</c> are kept, <c>deu</c>, <c>nld</c> and <c>zho</c> are dropped; <c>fra</c>,
    /// <c>ces</c>, <c>ron</c> and <c>slk</c> are kept, <c>fre</c>, <c>cze</c>, <c>rum</c> and <c>slo</c> dropped). Null for an unknown code.
    /// </summary>
    public static string? ToQuickTime(string? code)
    {
        if (Primary(code) is not { } primary || !Lookup.TryGetValue(primary, out var i)) return ToIso6392(code);
        var (_, three, bibliographic, _) = Table[i];
        return bibliographic is null || three is "fra" or "ces" or "ron" or "slk" ? three : bibliographic;
    }

    /// <summary>The ISO 639-1 code for an English language name (<c>german</c> → <c>de</c>), as OpenAI's API reports languages; null when unknown.</summary>
    public static string? FromName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? null : Table.FirstOrDefault(t => t.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase)).One;

    /// <summary>The English name (<c>German</c>), or null for an unknown code.</summary>
    public static string? Name(string? code) => Primary(code) is { } primary && Lookup.TryGetValue(primary, out var i) ? Table[i].Name : null;

    /// <summary>True when both codes name the same language (<c>en</c> and <c>eng</c>, <c>deu</c> and <c>ger</c>).</summary>
    public static bool SameLanguage(string? a, string? b) => ToIso6392(a) is { } x && x == ToIso6392(b);

    private static string? Primary(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var trimmed = code.Trim();
        var cut = trimmed.IndexOfAny(['-', '_']);
        return cut > 0 ? trimmed[..cut] : trimmed;
    }
}
