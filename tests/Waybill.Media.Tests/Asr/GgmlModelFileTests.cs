using Waybill.Media.Stages.Asr;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Media.Tests.Asr;

/// <summary>The model file check that stands between a damaged or foreign file and whisper.cpp's trusting loader.</summary>
public sealed class GgmlModelFileTests
{
    [Fact]
    public void The_generated_tiny_model_reads_as_whisper_cpp_will_load_it()
    {
        using var temp = new TempFolder();
        var path = new TinyWhisperModel().WriteTo(temp.Combine("ggml-tiny.bin"));

        var file = GgmlModelFile.Read(path);

        Assert.Equal((51865, 1500, 32, 2, 1, 64, 32, 80), (file.Vocabulary, file.AudioContext, file.AudioState, file.AudioHeads, file.AudioLayers,
            file.TextContext, file.TextState, file.Mels));
        Assert.True(file.Multilingual);
        Assert.Equal(50257, file.EndOfText);
        Assert.Equal("f16", file.Quantisation);
        Assert.Equal(11 + 15 + 24, file.TensorCount);
        Assert.Equal(new FileInfo(path).Length, file.SizeBytes);
        Assert.InRange(file.SizeBytes, 1_000_000, 5_000_000);
    }

    [Fact]
    public void An_english_only_model_has_its_end_of_text_one_lower()
    {
        using var temp = new TempFolder();
        var file = GgmlModelFile.Read(new TinyWhisperModel { Multilingual = false, AudioLayers = 4, TextLayers = 2 }.WriteTo(temp.Combine("en.bin")));

        Assert.False(file.Multilingual);
        Assert.Equal(50256, file.EndOfText);
        Assert.Equal("tiny", file.Family);
        Assert.Equal(11 + 4 * 15 + 2 * 24, file.TensorCount);
    }

    [Fact]
    public void Writing_the_model_twice_gives_the_same_bytes()
    {
        using var temp = new TempFolder();
        var a = File.ReadAllBytes(new TinyWhisperModel().WriteTo(temp.Combine("a.bin")));
        var b = File.ReadAllBytes(new TinyWhisperModel().WriteTo(temp.Combine("b.bin")));
        var c = File.ReadAllBytes(new TinyWhisperModel { Seed = 1 }.WriteTo(temp.Combine("c.bin")));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void A_file_cut_anywhere_is_refused_naming_the_file()
    {
        using var temp = new TempFolder();
        var whole = File.ReadAllBytes(new TinyWhisperModel().WriteTo(temp.Combine("whole.bin")));
        var cut = temp.Combine("cut.bin");
        // In the magic, the hparams, the mel filters, the vocabulary, a tensor header, and the last tensor's data.
        foreach (var length in new[] { 2, 20, 1_000, 200_000, whole.Length - 1 })
        {
            File.WriteAllBytes(cut, whole[..length]);
            var error = Assert.Throws<InvalidDataException>(() => GgmlModelFile.Read(cut));
            Assert.StartsWith($"Whisper model {cut} ", error.Message, StringComparison.Ordinal);
            Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_file_that_ends_between_tensors_is_refused_naming_the_missing_ones()
    {
        using var temp = new TempFolder();
        var model = new TinyWhisperModel();
        var whole = File.ReadAllBytes(model.WriteTo(temp.Combine("whole.bin")));
        // The last tensor written is decoder.blocks.0.mlp.2.bias: 32 floats after a header of 12 + 4 + name bytes.
        var last = "decoder.blocks.0.mlp.2.bias";
        var cut = temp.Combine("cut.bin");
        File.WriteAllBytes(cut, whole[..^(12 + 4 + last.Length + 32 * 4)]);

        var error = Assert.Throws<InvalidDataException>(() => GgmlModelFile.Read(cut));

        Assert.Contains($"has 49 of the 50 tensors a Whisper model with these hparams has; missing {last}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0x46554747u, "it is a GGUF file")]
    [InlineData(4, 0u, "hparam n_vocab = 0, outside 1..")]
    [InlineData(20, 1u << 20, "has 1048576 audio and")]
    [InlineData(44, 99u, "has ftype 99, which whisper.cpp does not know")]
    [InlineData(48, 5000u, "mel filter bank: not a Whisper model")]
    public void A_foreign_or_damaged_header_is_refused_saying_what_is_wrong(int offset, uint value, string expected)
    {
        using var temp = new TempFolder();
        var path = new TinyWhisperModel().WriteTo(temp.Combine("model.bin"));
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.Position = offset;
            stream.Write(BitConverter.GetBytes(value));
        }

        var error = Assert.Throws<InvalidDataException>(() => GgmlModelFile.Read(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }
}
