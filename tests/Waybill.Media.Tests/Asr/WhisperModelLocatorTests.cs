using Waybill.Media.Stages.Asr;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Asr;

public sealed class WhisperModelLocatorTests
{
    [Fact]
    public void English_prefers_the_largest_model_and_the_english_one_of_a_size()
    {
        var order = WhisperModelLocator.Preference("en");

        var at = order.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        Assert.Equal("large-v3-turbo", order[0]);
        Assert.True(at["small.en"] < at["small"]);
        Assert.True(at["small"] < at["base.en"]);
        Assert.True(at["base"] < at["tiny.en"]);
        Assert.StartsWith("tiny", order[^1], StringComparison.Ordinal);
        // A quantised variant follows its full-precision model.
        Assert.All(order.Where(n => n.Contains("-q", StringComparison.Ordinal)), n => Assert.True(at[n[..n.LastIndexOf("-q", StringComparison.Ordinal)]] < at[n]));
    }

    [Theory]
    [InlineData("de")]
    [InlineData("auto")]
    public void Other_languages_and_auto_leave_english_only_models_out(string language) =>
        Assert.DoesNotContain(WhisperModelLocator.Preference(language), n => n.Contains(".en", StringComparison.Ordinal));

    [Fact]
    public void A_name_is_a_file_in_the_model_folder_and_a_path_is_itself()
    {
        var named = WhisperModelLocator.Resolve("whisper:base.en", "/models", "/base");
        Assert.Equal(new WhisperModelPath("base.en", "/models/ggml-base.en.bin", Known: true), named);
        Assert.Equal(new WhisperModelPath("my.bin", "/base/sub/my.bin", Known: false), WhisperModelLocator.Resolve("sub/my.bin", "/models", "/base"));
        Assert.Equal("/base/custom.bin", WhisperModelLocator.Resolve("custom.bin", "/models", "/base").Path);
    }

    [Fact]
    public void An_unknown_name_is_refused_with_the_known_names()
    {
        var error = Assert.Throws<ArgumentException>(() => WhisperModelLocator.Resolve("huge", "/models", "/base"));
        Assert.Contains("Known: tiny, ", error.Message, StringComparison.Ordinal);
        Assert.Contains(", base.en, ", error.Message, StringComparison.Ordinal);
        Assert.Contains("or give the path of a ggml model file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_takes_the_first_model_present_in_preference_order_and_pocketsphinx_without_one()
    {
        using var temp = new TempFolder();
        var folder = temp.Combine("models");
        Directory.CreateDirectory(folder);
        var candidates = WhisperModelLocator.Preference("en").Select(n => WhisperModelLocator.Resolve(n, folder, temp.Path)).ToList();

        var none = AsrBackendChoice.Choose(candidates);
        Assert.Equal(("pocketsphinx", null), (none.Backend, none.Model));

        File.WriteAllText(Path.Combine(folder, "ggml-tiny.bin"), "");
        File.WriteAllText(Path.Combine(folder, "ggml-base.en.bin"), "");
        var found = AsrBackendChoice.Choose(candidates);
        Assert.Equal("whisper", found.Backend);
        Assert.Equal(new WhisperModelPath("base.en", Path.Combine(folder, "ggml-base.en.bin"), Known: true), found.Model);
    }
}
