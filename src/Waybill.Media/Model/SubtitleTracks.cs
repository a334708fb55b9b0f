namespace Waybill.Media.Model;

/// <summary>One language's subtitle files (paths relative to the stage folder).</summary>
public sealed record SubtitleTrack(string Language, string Srt, string Vtt, int Cues);

/// <summary><c>11_subtitle_generation/tracks.json</c>: what 12_mux puts into the video.</summary>
public sealed class SubtitleTracks
{
    public List<SubtitleTrack> Tracks { get; init; } = [];
}
