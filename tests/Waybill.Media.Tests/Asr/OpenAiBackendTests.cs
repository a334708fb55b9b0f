using Waybill.Core.Manifests;
using Waybill.Media.Audio;
using Waybill.Media.Model;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>The openai backend against a real local HTTP server that answers as the transcription endpoint does.</summary>
public sealed class OpenAiBackendTests : IDisposable
{
    private const string Key = "sk-test-Secret-Key-12345";
    private readonly AsrJob _job = new();
    private readonly string _audio;
    private readonly float[] _samples;
    private readonly List<SpeechSegment> _speech = [new(1.0, 3.5, 0.9), new(5.25, 7.0, 0.8), new(8.0, 9.0, 0.7)];

    public OpenAiBackendTests()
    {
        // A ramp that repeats every second: a clip's first sample tells where it was cut.
        _samples = new float[16000 * 10];
        for (var i = 0; i < _samples.Length; i++) _samples[i] = (i % 16000) / 16000f * 0.5f;
        _audio = Path.Combine(_job.Folder, "audio.wav");
        using var writer = new WavWriter(_audio, 16000);
        writer.Write(_samples);
    }

    public void Dispose() => _job.Dispose();

    /// <summary>
    /// Recorded verbose_json answers by clip, times relative to the clip (which starts 0.25 s before its segment);
    /// the third clip is silence.
    /// </summary>
    private static (int, string) Transcribe(RecordedRequest request) => request.File.FileName switch
    {
        "segment-00000.wav" => (200, """
            {"task": "transcribe", "language": "english", "duration": 3.0, "text": "She was looking for her keys.",
             "words": [{"word": "She", "start": 0.37, "end": 0.55}, {"word": "was", "start": 0.55, "end": 0.73}, {"word": "looking", "start": 0.73, "end": 1.15},
                       {"word": "for", "start": 1.15, "end": 1.31}, {"word": "her", "start": 1.31, "end": 1.45}, {"word": "keys", "start": 1.45, "end": 2.95}],
             "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 3.0, "text": " She was looking for her keys.", "tokens": [50364, 679, 390],
                           "temperature": 0.0, "avg_logprob": -0.2231, "compression_ratio": 0.86, "no_speech_prob": 0.012}]}
            """),
        "segment-00001.wav" => (200, """
            {"task": "transcribe", "language": "english", "duration": 2.25, "text": "Hmm. In the kitchen!",
             "words": [{"word": "Hmm", "start": 0.0, "end": 0.2}, {"word": "In", "start": 0.25, "end": 0.45}, {"word": "the", "start": 0.45, "end": 0.59},
                       {"word": "kitchen", "start": 0.59, "end": 1.35}],
             "segments": [{"id": 0, "seek": 0, "start": 0.0, "end": 2.25, "text": " Hmm. In the kitchen!", "tokens": [50364, 682],
                           "temperature": 0.0, "avg_logprob": -0.5108, "compression_ratio": 0.6, "no_speech_prob": 0.02}]}
            """),
        _ => (200, """{"task": "transcribe", "language": "english", "duration": 1.5, "text": "", "words": [], "segments": []}"""),
    };

    private static Dictionary<string, object?> Config(string url) => new() { ["backend"] = "openai", ["url"] = url, ["model"] = "whisper-1", ["workers"] = 2L };

    [Fact]
    public async Task Sends_each_segment_as_a_form_and_makes_the_times_absolute()
    {
        using var server = new LocalHttpServer(Transcribe);
        await _job.RunAsync(_audio, _speech, Config(server.BaseUrl), env: new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, _job.Stage.Status);

        var requests = server.Requests.OrderBy(r => r.File.FileName, StringComparer.Ordinal).ToList();
        Assert.Equal(3, requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            Assert.Equal("POST", request.Method);
            Assert.Equal("/v1/audio/transcriptions", request.Path);
            Assert.Equal("Bearer " + Key, request.Authorization);
            Assert.StartsWith("multipart/form-data", request.ContentType);
            Assert.Equal(["whisper-1"], request.Values("model"));
            Assert.Equal(["verbose_json"], request.Values("response_format"));
            Assert.Equal(["word", "segment"], request.Values("timestamp_granularities[]"));
            Assert.Equal(["en"], request.Values("language"));
            Assert.Equal("audio/wav", request.File.ContentType);

            // The upload is the segment with 0.25 s of context on each side: a 16 kHz WAV cut from the right place.
            var clip = Path.Combine(_job.Folder, $"clip-{i}.wav");
            File.WriteAllBytes(clip, request.File.Data);
            using var reader = new WavReader(clip);
            Assert.Equal(16000, reader.SampleRate);
            var segment = _speech[i];
            Assert.Equal((long)Math.Round((segment.End - segment.Start + 0.5) * 16000), reader.FrameCount);
            var first = reader.ReadRange(0, 1)[0];
            Assert.Equal(_samples[(int)Math.Round((segment.Start - 0.25) * 16000)], first, 0.0001f);
        }

        var transcript = _job.Transcript;
        Assert.Equal("openai", transcript.Backend);
        Assert.Equal(2, transcript.Segments.Count);
        var one = transcript.Segments[0];
        Assert.Equal("She was looking for her keys.", one.Text);
        Assert.Equal((1.0, 3.5), (one.Start, one.End));
        // Absolute times; confidence from the segment's avg_logprob (exp(-0.2231) = 0.8); "keys" ends after the segment and is clamped to it.
        Assert.Equal(new Word("She", 1.12, 1.3, 0.8), one.Words[0]);
        Assert.Equal(new Word("keys", 2.2, 3.5, 0.8), one.Words[^1]);
        // "Hmm" lies wholly in the context before the segment: speech the VAD missed, kept with its time.
        var two = transcript.Segments[1];
        Assert.Equal("Hmm. In the kitchen!", two.Text);
        Assert.Equal([new Word("Hmm", 5.0, 5.2, 0.6), new Word("In", 5.25, 5.45, 0.6), new Word("the", 5.45, 5.59, 0.6), new Word("kitchen", 5.59, 6.35, 0.6)], two.Words);
        Assert.Equal((5.0, 7.0), (two.Start, two.End));

        Assert.Equal("She was looking for her keys. Hmm. In the kitchen!", _job.Summary.Text);
        Assert.Equal("whisper-1", _job.Summary.Model);

        // The clips are gone, and the manifest says so.
        var uploads = Assert.Single(_job.Stage.Manifest.IntermediateFiles);
        Assert.EndsWith(".cache/uploads", uploads.Path);
        Assert.False(uploads.Retained);
        Assert.Equal("per-segment upload, deleted", uploads.Reason);
        Assert.Empty(Directory.GetFiles(Path.Combine(_job.StageDir, ".cache", "uploads")));
        Assert.DoesNotContain(Key, _job.ManifestText);
        Assert.DoesNotContain(Key, _job.StageLog);
    }

    [Fact]
    public async Task A_rejected_key_fails_with_the_server_s_message_and_never_shows_the_key()
    {
        using var server = new LocalHttpServer(_ => (401, $$$"""
            {"error": {"message": "Incorrect API key provided: {{{Key}}}. You can find your API key in your account settings.", "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}}
            """));
        await _job.RunAsync(_audio, _speech, Config(server.BaseUrl + "/"), env: new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key },
            cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, _job.Stage.Status);
        var reason = _job.Stage.Reason!;
        Assert.Contains($"{server.BaseUrl}/audio/transcriptions answered 401 (Unauthorized)", reason);
        Assert.Contains("Incorrect API key provided: ***. You can find your API key", reason);
        Assert.Contains("check the API key in OPENAI_API_KEY", reason);
        foreach (var file in Directory.GetFiles(_job.Result.JobDir, "*", SearchOption.AllDirectories))
            Assert.DoesNotContain(Key, File.ReadAllText(file));
        // 401 is not retried.
        Assert.InRange(server.Requests.Count, 1, 2);
    }

    [Fact]
    public async Task A_busy_server_is_asked_again()
    {
        var calls = 0;
        using var server = new LocalHttpServer(request =>
            Interlocked.Increment(ref calls) == 1 ? (503, """{"error": {"message": "The server is overloaded", "type": "server_error"}}""") : Transcribe(request));
        await _job.RunAsync(_audio, _speech.Take(1).ToList(), Config(server.BaseUrl), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Success, _job.Stage.Status);
        Assert.Equal(2, server.Requests.Count);
        Assert.Equal("She was looking for her keys.", Assert.Single(_job.Transcript.Segments).Text);
        Assert.Contains("answered 503; attempt 2 of 3", _job.StageLog);
    }

    [Fact]
    public async Task A_server_error_that_persists_names_the_status_and_message()
    {
        using var server = new LocalHttpServer(_ => (400, """{"error": {"message": "Invalid language 'xx'.", "type": "invalid_request_error"}}"""));
        await _job.RunAsync(_audio, _speech, Config(server.BaseUrl), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, _job.Stage.Status);
        Assert.Contains("answered 400 (Bad Request) for segment", _job.Stage.Reason);
        Assert.EndsWith("Invalid language 'xx'.", _job.Stage.Reason);
    }

    [Fact]
    public async Task No_server_or_no_url_fail_with_what_to_set()
    {
        using var noUrl = await new AsrJob().RunAsync(_audio, _speech, new Dictionary<string, object?> { ["backend"] = "openai" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(StageStatus.Failed, noUrl.Stage.Status);
        Assert.StartsWith("config 'url' must be the server's base URL for backend openai", noUrl.Stage.Reason);
    }

    [Fact]
    public void Verbose_json_without_words_is_spread_over_its_segments()
    {
        var parsed = Waybill.Media.Stages.Asr.OpenAiVerboseJson.Parse("""
            {"text": "Hello there. Bye.", "segments": [
              {"start": 0.0, "end": 1.0, "text": " Hello there.", "avg_logprob": -0.1054},
              {"start": 1.5, "end": 2.0, "text": " Bye.", "avg_logprob": 0.5}]}
            """, 2.0);
        Assert.Equal("Hello there. Bye.", parsed.Text);
        Assert.Equal(3, parsed.EstimatedWords);
        // Time shared by length: "Hello" and a space are 6 of the segment's 13 characters.
        Assert.Equal([new Word("Hello", 0, 0.462, 0.9), new Word("there.", 0.462, 1.0, 0.9), new Word("Bye.", 1.5, 2.0, 1.0)], parsed.Words);

        // Words nested in segments (some servers), with their own probability.
        var nested = Waybill.Media.Stages.Asr.OpenAiVerboseJson.Parse("""
            {"text": " Hi.", "segments": [{"start": 0.2, "end": 0.6, "text": " Hi.", "avg_logprob": -1.0,
              "words": [{"word": " Hi.", "start": 0.2, "end": 0.6, "probability": 0.97}]}]}
            """, 1.0);
        Assert.Equal([new Word("Hi.", 0.2, 0.6, 0.97)], nested.Words);
        Assert.Equal(0, nested.EstimatedWords);
    }
}
