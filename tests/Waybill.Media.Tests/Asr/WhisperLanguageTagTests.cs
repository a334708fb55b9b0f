using Waybill.Media.Stages.Asr;
using Waybill.Media.Tools;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>Every language whisper.cpp may detect tags the subtitle track with a real code and a name, not 'und'.</summary>
public sealed class WhisperLanguageTagTests
{
    [Fact]
    public void Every_language_whisper_cpp_knows_has_an_iso_639_2_code_and_a_track_name()
    {
        Assert.NotEmpty(WhisperRuntime.Languages);
        var untagged = WhisperRuntime.Languages.Where(code => IsoLanguage.ToIso6392(code) is null || IsoLanguage.Name(code) is null).ToList();

        Assert.Empty(untagged);
        Assert.Equal("jav", IsoLanguage.ToIso6392("jw"));
    }
}
