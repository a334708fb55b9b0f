namespace Waybill.Media.Model;

/// <summary>One stream of a media file as ffprobe reports it (fields that do not apply to the stream type are null).</summary>
public sealed record StreamInfo
{
    /// <summary>The stream's index in the file (ffmpeg's <c>0:N</c>).</summary>
    public int Index { get; init; }

    /// <summary><c>video</c>, <c>audio</c>, <c>subtitle</c>, <c>data</c> or <c>attachment</c>.</summary>
    public string Type { get; init; } = "";

    public string? Codec { get; init; }

    /// <summary>The language tag as stored (usually ISO 639-2, <c>eng</c>); null when absent or <c>und</c>.</summary>
    public string? Language { get; init; }

    public string? Title { get; init; }

    /// <summary>An MP4/MOV track's handler name, which players show as the track's name (MP4 has no title tag).</summary>
    public string? HandlerName { get; init; }

    public bool Default { get; init; }

    /// <summary>True for a picture attached to an audio file (album art), which ffprobe lists as a video stream.</summary>
    public bool? CoverArt { get; init; }

    public int? Channels { get; init; }
    public int? SampleRate { get; init; }
    public int? Width { get; init; }
    public int? Height { get; init; }
    public double? FrameRate { get; init; }
    public double? Duration { get; init; }
}

/// <summary>The audio stream 01_demux extracted, and why that one.</summary>
public sealed record AudioChoice(int Index, int AudioIndex, string? Language, string Reason);

/// <summary><c>01_demux/metadata.json</c>: the source file's facts from ffprobe and what was taken from it.</summary>
public sealed record MediaMetadata
{
    /// <summary>The source file's name without folders (02_tmdb parses title and year from it).</summary>
    public string FileName { get; init; } = "";

    public string Path { get; init; } = "";
    public long SizeBytes { get; init; }

    /// <summary>ffprobe's format name, e.g. <c>mov,mp4,m4a,3gp,3g2,mj2</c> or <c>matroska,webm</c>.</summary>
    public string Format { get; init; } = "";

    public string? FormatLongName { get; init; }
    public double? Duration { get; init; }
    public long? BitRate { get; init; }
    public bool HasVideo { get; init; }
    public List<StreamInfo> Streams { get; init; } = [];
    public AudioChoice? AudioStream { get; init; }

    /// <summary>The part of the source that was extracted, in seconds (null: from the start / to the end).</summary>
    public double? ClipStart { get; init; }

    public double? ClipEnd { get; init; }
}
