namespace Waybill.Media.Model;

/// <summary>A stretch of music or singing, with the detector's score in [0, 1].</summary>
public sealed record MusicRegion(double Start, double End, double Score);

/// <summary><c>08_lyrics_detection/music.json</c>: the regions and the features that found them.</summary>
public sealed class MusicRegions
{
    public List<string> Features { get; init; } = [];
    public double FrameSeconds { get; init; }
    public List<MusicRegion> Regions { get; init; } = [];
}
