using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// The facts of a whisper.cpp ggml model file, read and checked before whisper.cpp sees it: whisper.cpp trusts the
/// file (a truncated vocabulary makes it allocate what garbage lengths say; an assert aborts the process), so a
/// wrong or damaged file must be refused here with its name. Walks every tensor header without reading the weights,
/// so a 3-GB model is checked in milliseconds, and requires exactly the tensors whisper.cpp will ask for.
/// </summary>
public sealed record GgmlModelFile(
    string Path, long SizeBytes, int Vocabulary, int AudioContext, int AudioState, int AudioHeads, int AudioLayers,
    int TextContext, int TextState, int TextHeads, int TextLayers, int Mels, int FileType, int TensorCount)
{
    public const uint Magic = 0x67676d6c; // "ggml", as whisper.cpp writes it (little endian)

    private const int MaxDimension = 1 << 20;
    private const int MaxLayers = 128;
    private const int MaxTokenBytes = 4096;
    private const int MaxNameBytes = 512;

    /// <summary>True for a model with language tokens (whisper.cpp: n_vocab ≥ 51865); English-only models have none.</summary>
    public bool Multilingual => Vocabulary >= 51865;

    /// <summary>The weights' quantisation as whisper.cpp names it in file names: <c>f16</c>, <c>q5_1</c>, <c>q8_0</c>, …</summary>
    public string Quantisation => FileTypeNames.TryGetValue(FileType % 1000, out var name) ? name : $"ftype {FileType}";

    /// <summary>The first token id that is not text (end of text): 50257 in multilingual models, 50256 in English-only ones.</summary>
    public int EndOfText => Multilingual ? 50257 : 50256;

    /// <summary>The size whisper.cpp's name for the model family gives it, from the encoder depth.</summary>
    public string Family => AudioLayers switch
    {
        4 => "tiny",
        6 => "base",
        12 => "small",
        24 => "medium",
        32 => "large",
        _ => "unknown",
    };

    // whisper.cpp's ggml_ftype values (the file's ftype modulo GGML_QNT_VERSION_FACTOR).
    private static readonly Dictionary<int, string> FileTypeNames = new()
    {
        [0] = "f32", [1] = "f16", [2] = "q4_0", [3] = "q4_1", [4] = "q4_1_some_f16", [7] = "q8_0", [8] = "q5_0", [9] = "q5_1",
        [10] = "q2_k", [11] = "q3_k", [12] = "q4_k", [13] = "q5_k", [14] = "q6_k",
    };

    // ggml_type → (bytes per block, values per block), for the types a Whisper model's tensors use.
    private static readonly Dictionary<int, (int Bytes, int Values)> TensorTypes = new()
    {
        [0] = (4, 1), [1] = (2, 1), [2] = (18, 32), [3] = (20, 32), [6] = (22, 32), [7] = (24, 32), [8] = (34, 32), [9] = (36, 32),
        [10] = (84, 256), [11] = (110, 256), [12] = (144, 256), [13] = (176, 256), [14] = (210, 256), [15] = (292, 256),
    };

    /// <summary>Reads and checks the file; <see cref="InvalidDataException"/> says what is wrong, where, and names the file.</summary>
    public static GgmlModelFile Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1); // the reader buffers itself
        var reader = new Reader(stream, path);
        var magic = reader.UInt32("magic");
        if (magic != Magic)
            throw reader.Problem($"is not a whisper.cpp ggml model: it starts with 0x{magic:x8}, a Whisper model with 0x{Magic:x8} (\"ggml\")" +
                (magic == 0x46554747 ? " — it is a GGUF file, which whisper.cpp does not read" : ""));
        var hp = new int[11];
        string[] names = ["n_vocab", "n_audio_ctx", "n_audio_state", "n_audio_head", "n_audio_layer", "n_text_ctx", "n_text_state",
            "n_text_head", "n_text_layer", "n_mels", "ftype"];
        for (var i = 0; i < hp.Length; i++) hp[i] = reader.Int32(names[i]);
        for (var i = 0; i < 10; i++)
            if (hp[i] < 1 || hp[i] > MaxDimension) throw reader.Problem($"has hparam {names[i]} = {hp[i]}, outside 1..{MaxDimension}: not a Whisper model");
        // The names of every layer's tensors are listed before any is read: a damaged count must not make that list huge
        // (the largest published model has 32 layers a side).
        if (hp[4] > MaxLayers || hp[8] > MaxLayers)
            throw reader.Problem($"has {hp[4]} audio and {hp[8]} text layers; a Whisper model has at most {MaxLayers}: the file is corrupt");
        if (hp[2] != hp[6]) throw reader.Problem($"has n_audio_state {hp[2]} and n_text_state {hp[6]}: a Whisper model has them equal");
        if (hp[2] % hp[3] != 0 || hp[6] % hp[7] != 0) throw reader.Problem("has a state size that its head count does not divide: not a Whisper model");
        if (!FileTypeNames.ContainsKey(hp[10] % 1000) || hp[10] < 0) throw reader.Problem($"has ftype {hp[10]}, which whisper.cpp does not know");

        var filterMels = reader.Int32("mel filter count");
        var filterBins = reader.Int32("mel filter width");
        if (filterMels < 1 || filterMels > 1024 || filterBins < 1 || filterBins > 65_536)
            throw reader.Problem($"has a {filterMels}×{filterBins} mel filter bank: not a Whisper model");
        reader.Skip(4L * filterMels * filterBins, "mel filters");

        var tokens = reader.Int32("vocabulary size");
        if (tokens < 0 || tokens > hp[0]) throw reader.Problem($"lists {tokens} tokens for n_vocab {hp[0]}");
        for (var i = 0; i < tokens; i++)
        {
            // Constant descriptions: formatting one per token cost more than the reads.
            var length = reader.UInt32("the length of a vocabulary token");
            if (length > MaxTokenBytes) throw reader.Problem($"has token {i} of {length} bytes (at most {MaxTokenBytes}): the vocabulary is corrupt");
            reader.Skip(length, "a vocabulary token");
        }

        var file = new GgmlModelFile(path, stream.Length, hp[0], hp[1], hp[2], hp[3], hp[4], hp[5], hp[6], hp[7], hp[8], hp[9], hp[10], 0);
        return file with { TensorCount = ReadTensors(reader, file) };
    }

    /// <summary>Every tensor's header and the room its data takes; the names must be the set whisper.cpp creates.</summary>
    private static int ReadTensors(Reader reader, GgmlModelFile file)
    {
        var expected = ExpectedTensors(file);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!reader.AtEnd)
        {
            var dims = reader.Int32("tensor dimension count");
            var nameLength = reader.Int32("tensor name length");
            var type = reader.Int32("tensor type");
            if (dims is < 1 or > 4 || nameLength is < 1 or > MaxNameBytes)
                throw reader.Problem($"has a tensor header with {dims} dimensions and a {nameLength}-byte name: the file is corrupt");
            if (!TensorTypes.TryGetValue(type, out var size)) throw reader.Problem($"has a tensor of ggml type {type}, which this reader does not know");
            long count = 1;
            for (var d = 0; d < dims; d++)
            {
                var n = reader.Int32("tensor dimension");
                if (n < 1 || n > 1 << 24) throw reader.Problem($"has a tensor dimension of {n}: the file is corrupt");
                count *= n;
                // Four dimensions of up to 2^24 would overflow the count; no tensor of a Whisper model has 2^40 values.
                if (count > 1L << 40) throw reader.Problem($"has a tensor of more than 2^40 values: the file is corrupt");
            }
            var name = reader.Text(nameLength, "tensor name");
            if (!expected.Contains(name)) throw reader.Problem($"has tensor '{name}', which a Whisper model with these hparams does not have");
            if (!seen.Add(name)) throw reader.Problem($"has tensor '{name}' twice");
            if (count % size.Values != 0) throw reader.Problem($"has tensor '{name}' of {count} values, not whole blocks of {size.Values}");
            reader.Skip(count / size.Values * size.Bytes, $"the data of tensor '{name}'");
        }
        if (seen.Count != expected.Count)
        {
            var missing = expected.Where(n => !seen.Contains(n)).Order(StringComparer.Ordinal).ToList();
            throw reader.Problem($"has {seen.Count} of the {expected.Count} tensors a Whisper model with these hparams has; " +
                $"missing {string.Join(", ", missing.Take(3))}" +
                (missing.Count > 3 ? $" and {missing.Count - 3} more" : "") + " (is the file truncated?)");
        }
        return seen.Count;
    }

    /// <summary>The names whisper.cpp's model loader creates for these hparams (11 + 15 per encoder block + 24 per decoder block).</summary>
    private static HashSet<string> ExpectedTensors(GgmlModelFile file)
    {
        var names = new HashSet<string>(StringComparer.Ordinal)
        {
            "encoder.positional_embedding", "encoder.conv1.weight", "encoder.conv1.bias", "encoder.conv2.weight", "encoder.conv2.bias",
            "encoder.ln_post.weight", "encoder.ln_post.bias",
            "decoder.positional_embedding", "decoder.token_embedding.weight", "decoder.ln.weight", "decoder.ln.bias",
        };
        string[] block = ["mlp_ln.weight", "mlp_ln.bias", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias", "attn_ln.weight", "attn_ln.bias",
            "attn.query.weight", "attn.query.bias", "attn.key.weight", "attn.value.weight", "attn.value.bias", "attn.out.weight", "attn.out.bias"];
        for (var i = 0; i < file.AudioLayers; i++)
            foreach (var part in block) names.Add($"encoder.blocks.{i}.{part}");
        for (var i = 0; i < file.TextLayers; i++)
        {
            foreach (var part in block) names.Add($"decoder.blocks.{i}.{part}");
            foreach (var part in block.Where(p => p.StartsWith("attn", StringComparison.Ordinal)))
                names.Add($"decoder.blocks.{i}.cross_{part}");
        }
        return names;
    }

    /// <summary>
    /// Little-endian reads that never pass the end of the file, each naming what it reads when it would. Reads go
    /// through a window of the file of its own and the length is read once, so the vocabulary's 50,000 small reads and
    /// skips cost no system call each (reading the length each time made the check of a 4-MB model take 40 ms; now 1).
    /// </summary>
    private sealed class Reader(FileStream stream, string path)
    {
        private readonly byte[] _window = new byte[1 << 20];
        private readonly long _length = stream.Length; // FileStream.Length is a system call each time
        private long _windowStart;
        private int _windowLength;
        private long _position;

        public bool AtEnd => _position >= _length;

        public uint UInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4, what));

        public int Int32(string what) => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4, what));

        public string Text(int length, string what) => Encoding.UTF8.GetString(Bytes(length, what));

        public void Skip(long bytes, string what)
        {
            if (_length - _position < bytes) throw Truncated(what, bytes);
            _position += bytes;
        }

        public InvalidDataException Problem(string message) => new($"Whisper model {path} {message}");

        /// <summary>The next <paramref name="count"/> bytes (at most the window's size), refilling the window when they are not in it.</summary>
        private ReadOnlySpan<byte> Bytes(int count, string what)
        {
            if (_length - _position < count) throw Truncated(what, count);
            if (_position < _windowStart || _position + count > _windowStart + _windowLength)
            {
                stream.Position = _windowStart = _position;
                _windowLength = stream.ReadAtLeast(_window, (int)Math.Min(_window.Length, _length - _position), throwOnEndOfStream: false);
                if (_windowLength < count) throw Truncated(what, count);
            }
            var offset = (int)(_position - _windowStart);
            _position += count;
            return _window.AsSpan(offset, count);
        }

        private InvalidDataException Truncated(string what, long needed) => Problem(string.Create(CultureInfo.InvariantCulture,
            $"ends at byte {_length:N0}, where {what} needs {needed:N0} bytes from byte {_position:N0}:") +
            " the file is truncated (an interrupted download?) or not a Whisper model");
    }
}
