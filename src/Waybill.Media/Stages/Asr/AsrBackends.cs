namespace Waybill.Media.Stages.Asr;

/// <summary>The speech recognisers 06_asr knows by name (config <c>backend</c>).</summary>
public static class AsrBackends
{
    public static readonly IReadOnlyList<string> Known = ["auto", "whisper", "pocketsphinx", "command", "openai"];

    /// <summary>Backends that write sentence case and punctuation themselves; PocketSphinx writes lower-case words only.</summary>
    public static bool Punctuates(string backend) => !backend.Equals("pocketsphinx", StringComparison.OrdinalIgnoreCase);
}
