using System.Text;

namespace Waybill.Tests.Support;

/// <summary>
/// Writes a Whisper model in whisper.cpp's ggml format (the layout <c>whisper_model_load</c> reads: magic, eleven hparams,
/// mel filters, vocabulary, then named tensors) with small dimensions and seeded random weights. Its words are nonsense
/// but whisper.cpp loads it, encodes, decodes and emits timestamps exactly as it does for a real model, in well under a
/// second per 30-s window. Special-token ids follow from <c>n_vocab</c>: 51865 makes a multilingual model (99 languages,
/// language detection, translate), 51864 an English-only one. Timestamp tokens fill the ids above <c>token_beg</c>.
/// </summary>
public sealed record TinyWhisperModel
{
    public const uint Magic = 0x67676d6c;

    public bool Multilingual { get; init; } = true;
    public int State { get; init; } = 32;
    public int Heads { get; init; } = 2;
    public int AudioLayers { get; init; } = 1;
    public int TextLayers { get; init; } = 1;
    public int AudioContext { get; init; } = 1500;
    public int TextContext { get; init; } = 64;
    public int Seed { get; init; } = 20_261_204;

    private const int Mels = 80;
    private const int FftBins = 201;
    private const int FtypeF16 = 1;
    private const int TypeF32 = 0;
    private const int TypeF16 = 1;

    public int VocabularySize => Multilingual ? 51865 : 51864;

    /// <summary>Writes the model to <paramref name="path"/> and returns the path.</summary>
    public string WriteTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: false);
        var random = new Random(Seed);
        writer.Write(Magic);
        foreach (var value in new[] { VocabularySize, AudioContext, State, Heads, AudioLayers, TextContext, State, Heads, TextLayers, Mels, FtypeF16 })
            writer.Write(value);
        WriteMelFilters(writer);
        WriteVocabulary(writer);
        WriteEncoder(writer, random);
        WriteDecoder(writer, random);
        return path;
    }

    /// <summary>Triangular filters over the 201 FFT bins, as whisper's own filter bank shapes them (spacing simplified).</summary>
    private static void WriteMelFilters(BinaryWriter writer)
    {
        writer.Write(Mels);
        writer.Write(FftBins);
        for (var m = 0; m < Mels; m++)
        {
            var centre = 1 + m * (FftBins - 2) / (double)Mels;
            for (var bin = 0; bin < FftBins; bin++)
                writer.Write((float)Math.Max(0, 1 - Math.Abs(bin - centre) / 2.5));
        }
    }

    /// <summary>
    /// The ordinary tokens (ids below end-of-text): printable ASCII first so any ASCII prompt tokenizes, then
    /// syllables, some with a leading space so decoded text has words. whisper.cpp names the special tokens itself.
    /// </summary>
    private static void WriteVocabulary(BinaryWriter writer)
    {
        const int ordinary = 50257;
        const string consonants = "bdfgklmnprstvz";
        const string vowels = "aeiou";
        writer.Write(ordinary);
        for (var id = 0; id < ordinary; id++)
        {
            string token;
            if (id < 95) token = ((char)(32 + id)).ToString();
            else
            {
                var n = id - 95;
                var syllable = $"{consonants[n % consonants.Length]}{vowels[n / consonants.Length % vowels.Length]}";
                var second = n / (consonants.Length * vowels.Length) % 3 == 0 ? "" : $"{consonants[n / 7 % consonants.Length]}{vowels[n % vowels.Length]}";
                token = (n % 2 == 0 ? " " : "") + syllable + second;
            }
            var bytes = Encoding.ASCII.GetBytes(token);
            writer.Write((uint)bytes.Length);
            writer.Write(bytes);
        }
    }

    private void WriteEncoder(BinaryWriter writer, Random random)
    {
        Tensor(writer, random, "encoder.positional_embedding", TypeF32, 0.02, State, AudioContext);
        Tensor(writer, random, "encoder.conv1.weight", TypeF16, 0.05, 3, Mels, State);
        Tensor(writer, random, "encoder.conv1.bias", TypeF32, 0.0, 1, State);
        Tensor(writer, random, "encoder.conv2.weight", TypeF16, 0.05, 3, State, State);
        Tensor(writer, random, "encoder.conv2.bias", TypeF32, 0.0, 1, State);
        Norm(writer, "encoder.ln_post");
        for (var layer = 0; layer < AudioLayers; layer++)
            Block(writer, random, $"encoder.blocks.{layer}", cross: false);
    }

    private void WriteDecoder(BinaryWriter writer, Random random)
    {
        Tensor(writer, random, "decoder.positional_embedding", TypeF32, 0.02, State, TextContext);
        Tensor(writer, random, "decoder.token_embedding.weight", TypeF16, 0.5, State, VocabularySize);
        Norm(writer, "decoder.ln");
        for (var layer = 0; layer < TextLayers; layer++)
            Block(writer, random, $"decoder.blocks.{layer}", cross: true);
    }

    private void Block(BinaryWriter writer, Random random, string prefix, bool cross)
    {
        Attention(writer, random, $"{prefix}.attn");
        Norm(writer, $"{prefix}.attn_ln");
        if (cross)
        {
            Attention(writer, random, $"{prefix}.cross_attn");
            Norm(writer, $"{prefix}.cross_attn_ln");
        }
        Norm(writer, $"{prefix}.mlp_ln");
        Tensor(writer, random, $"{prefix}.mlp.0.weight", TypeF16, 0.05, State, 4 * State);
        Tensor(writer, random, $"{prefix}.mlp.0.bias", TypeF32, 0.0, 4 * State);
        Tensor(writer, random, $"{prefix}.mlp.2.weight", TypeF16, 0.05, 4 * State, State);
        Tensor(writer, random, $"{prefix}.mlp.2.bias", TypeF32, 0.0, State);
    }

    /// <summary>Query, key (no bias, as in Whisper), value and output projections.</summary>
    private void Attention(BinaryWriter writer, Random random, string prefix)
    {
        Tensor(writer, random, $"{prefix}.query.weight", TypeF16, 0.1, State, State);
        Tensor(writer, random, $"{prefix}.query.bias", TypeF32, 0.0, State);
        Tensor(writer, random, $"{prefix}.key.weight", TypeF16, 0.1, State, State);
        Tensor(writer, random, $"{prefix}.value.weight", TypeF16, 0.1, State, State);
        Tensor(writer, random, $"{prefix}.value.bias", TypeF32, 0.0, State);
        Tensor(writer, random, $"{prefix}.out.weight", TypeF16, 0.1, State, State);
        Tensor(writer, random, $"{prefix}.out.bias", TypeF32, 0.0, State);
    }

    /// <summary>A layer norm: weight 1, bias 0.</summary>
    private void Norm(BinaryWriter writer, string prefix)
    {
        Header(writer, $"{prefix}.weight", TypeF32, State);
        for (var i = 0; i < State; i++) writer.Write(1f);
        Header(writer, $"{prefix}.bias", TypeF32, State);
        for (var i = 0; i < State; i++) writer.Write(0f);
    }

    /// <summary>A tensor of uniform random values in ±<paramref name="scale"/>; shape in ggml order (ne0 first).</summary>
    private static void Tensor(BinaryWriter writer, Random random, string name, int type, double scale, params int[] shape)
    {
        Header(writer, name, type, shape);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        for (var i = 0L; i < count; i++)
        {
            var value = (float)((random.NextDouble() * 2 - 1) * scale);
            if (type == TypeF16) writer.Write((Half)value);
            else writer.Write(value);
        }
    }

    private static void Header(BinaryWriter writer, string name, int type, params int[] shape)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        writer.Write(shape.Length);
        writer.Write(bytes.Length);
        writer.Write(type);
        foreach (var n in shape) writer.Write(n);
        writer.Write(bytes);
    }
}
