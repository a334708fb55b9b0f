using Waybill.Media.Model;
using Waybill.Media.Tools;

namespace Waybill.Media.Stages.Demux;

/// <summary>Picks the audio stream to transcribe: the first in the spoken language, else the default one, else the first.</summary>
public static class AudioStreamChooser
{
    /// <param name="streams">All streams of the file, in file order.</param>
    /// <param name="language">The spoken language from config (<c>en</c>); empty or null to take the default stream.</param>
    /// <returns>The choice, and a warning when the file has language tags but none matches.</returns>
    public static (AudioChoice Choice, string? Warning) Choose(IReadOnlyList<StreamInfo> streams, string? language)
    {
        var audio = streams.Where(s => s.Type == "audio").ToList();
        if (audio.Count == 0) throw new ArgumentException("no audio stream to choose from", nameof(streams));

        AudioChoice Pick(int position, string reason) => new(audio[position].Index, position, audio[position].Language, reason);

        var wanted = string.IsNullOrWhiteSpace(language) ? null : language.Trim();
        if (wanted is not null)
        {
            var match = audio.FindIndex(s => IsoLanguage.SameLanguage(s.Language, wanted));
            if (match >= 0) return (Pick(match, $"language '{audio[match].Language}' matches config language '{wanted}'"), null);
        }

        var fallback = audio.FindIndex(s => s.Default);
        var (position, why) = fallback >= 0 ? (fallback, "the default audio stream") : (0, "the first audio stream");
        var tagged = audio.Where(s => s.Language is not null).Select(s => s.Language!).Distinct().ToList();
        string? warning = null;
        var reason = why;
        if (wanted is not null)
        {
            reason = tagged.Count == 0 ? $"{why} (no stream has a language tag)" : $"{why} (no stream in language '{wanted}')";
            if (tagged.Count > 0)
                warning = $"no audio stream is tagged with language '{wanted}' (tags: {string.Join(", ", tagged)}); using stream #{audio[position].Index}, {why}. Set config 'language' to the spoken language if it is wrong";
        }
        return (Pick(position, reason), warning);
    }
}
