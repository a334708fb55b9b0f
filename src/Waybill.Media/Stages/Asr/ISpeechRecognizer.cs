using Waybill.Media.Model;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// A speech recognition backend. <see cref="RecognizeAsync"/> gets the audio file and the VAD segments; a backend
/// decodes either each segment on its own (PocketSphinx, OpenAI) or the whole file at once (command), and returns
/// text with words in seconds from the start of the audio.
/// </summary>
public interface ISpeechRecognizer : IDisposable
{
    /// <summary><c>pocketsphinx</c>, <c>command</c> or <c>openai</c>.</summary>
    string Backend { get; }

    /// <summary>What recognised the speech: model paths, a model name, or the command.</summary>
    string Model { get; }

    /// <summary>The language the recogniser heard (ISO 639-1, <c>de</c>), when it tells; null when it does not.</summary>
    string? DetectedLanguage => null;

    /// <summary>Loads the model (once, before the first segment); nothing for backends whose model lives elsewhere.</summary>
    Task LoadAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<RecognizedSpan>> RecognizeAsync(SpeechAudio audio, IReadOnlyList<SpeechSegment> segments, CancellationToken cancellationToken);
}

/// <summary>The audio a recognizer reads: a 16-bit PCM WAV file.</summary>
public sealed record SpeechAudio(string Path, int SampleRate, double Duration);

/// <summary>
/// Text found by a recognizer, with its words in absolute seconds. <paramref name="Segment"/> is the index of the
/// VAD segment it was decoded from, or null when the backend ran on the whole file (its words are then assigned to
/// VAD segments by time).
/// </summary>
public sealed record RecognizedSpan(int? Segment, double Start, double End, string Text, IReadOnlyList<Word> Words);
