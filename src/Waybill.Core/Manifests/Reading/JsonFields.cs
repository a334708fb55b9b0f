using System.Text;
using System.Text.Json;

namespace Waybill.Core.Manifests.Reading;

/// <summary>
/// The values a manifest's fields hold, read straight from a <see cref="Utf8JsonReader"/> for
/// <see cref="StageManifestReader"/> and <see cref="JobManifestReader"/>. Each reads only the one form the manifest writer writes and the generated reader
/// would read the same way; anything else (a value of another kind, a null where none is written, an escaped field name)
/// gives up with <see cref="NotReadHere"/>, and the generated reader reads the file, or refuses it in its own words.
/// </summary>
internal static class JsonFields
{
    public delegate T Reader<out T>(ref Utf8JsonReader reader);

    /// <summary>
    /// The record <paramref name="read"/> makes of the whole of <paramref name="json"/>, or null where it gave up or the
    /// bytes are not one JSON value: the generated reader reads those, and says what is wrong with them.
    /// </summary>
    public static T? Whole<T>(ReadOnlySpan<byte> json, Reader<T> read) where T : class
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            reader.Read();
            var record = read(ref reader);
            return reader.Read() ? null : record;
        }
        catch (Exception e) when (e is NotReadHere or JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Moves to the next field name of the object the reader is in: false at its end. A name written with an escape gives
    /// up (with <paramref name="escapedToo"/> unset): the generated reader would match it to a field once unescaped.
    /// </summary>
    public static bool NextField(ref Utf8JsonReader reader, bool escapedToo = false)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject) return false;
        if (reader.TokenType != JsonTokenType.PropertyName || reader.ValueIsEscaped && !escapedToo) throw new NotReadHere();
        return true;
    }

    public static void StartObject(ref Utf8JsonReader reader) => Expect(ref reader, JsonTokenType.StartObject);

    public static string StringValue(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String);
        return reader.GetString()!;
    }

    public static string? StringOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : StringValue(ref reader);

    /// <summary>A field whose value most manifests of a job repeat: the same string each time (<see cref="RepeatedString"/>).</summary>
    public static string Repeated(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String);
        return RepeatedString.Read(ref reader)!;
    }

    public static string? RepeatedOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Repeated(ref reader);

    public static int Int(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.TryGetInt32(out var value) ? value : throw new NotReadHere();
    }

    public static int? IntOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Int(ref reader);

    public static long Long(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.TryGetInt64(out var value) ? value : throw new NotReadHere();
    }

    public static long? LongOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Long(ref reader);

    public static double Double(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.Number);
        return reader.TryGetDouble(out var value) ? value : throw new NotReadHere();
    }

    public static double? DoubleOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Double(ref reader);

    public static bool Bool(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new NotReadHere(),
    };

    public static bool? BoolOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Bool(ref reader);

    public static DateTimeOffset Time(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.String);
        return reader.TryGetDateTimeOffset(out var value) ? value : throw new NotReadHere();
    }

    public static DateTimeOffset? TimeOrNull(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : Time(ref reader);

    public static List<T> List<T>(ref Utf8JsonReader reader, Reader<T> item)
    {
        Expect(ref reader, JsonTokenType.StartArray);
        var list = new List<T>();
        while (true)
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndArray) return list;
            list.Add(item(ref reader));
        }
    }

    public static List<T>? ListOrNull<T>(ref Utf8JsonReader reader, Reader<T> item) =>
        reader.TokenType == JsonTokenType.Null ? null : List(ref reader, item);

    /// <summary>
    /// An object of named values, its names read as written, escaped or not (the writer escapes some, such as a name with
    /// an emoji in it); a name given twice is left to the generated reader.
    /// </summary>
    public static Dictionary<string, T> Map<T>(ref Utf8JsonReader reader, Reader<T> value)
    {
        StartObject(ref reader);
        var map = new Dictionary<string, T>();
        while (NextField(ref reader, escapedToo: true))
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!map.TryAdd(name, value(ref reader))) throw new NotReadHere();
        }
        return map;
    }

    public static Dictionary<string, T>? MapOrNull<T>(ref Utf8JsonReader reader, Reader<T> value) =>
        reader.TokenType == JsonTokenType.Null ? null : Map(ref reader, value);

    public delegate void FieldReader<in T>(ref Utf8JsonReader reader, T record, int field);

    /// <summary>
    /// Reads an object into <paramref name="record"/>: each field the names know through <paramref name="read"/>, with the
    /// reader on its value; a field given twice or a required one missing gives up. Fields the names do not know are
    /// handed to <paramref name="extra"/> as the record type's extension data (as the generated reader keeps them); without
    /// it they give up too.
    /// </summary>
    public static T Record<T>(ref Utf8JsonReader reader, FieldNames names, T record, FieldReader<T> read,
        Action<T, Dictionary<string, JsonElement>>? extra = null)
    {
        StartObject(ref reader);
        Dictionary<string, JsonElement>? unknown = null;
        var (seen, next) = (0UL, 0);
        while (NextField(ref reader))
        {
            var field = names.IndexOf(ref reader, next);
            if (field < 0)
            {
                if (extra is null) throw new NotReadHere();
                Unknown(ref reader, ref unknown);
                continue;
            }
            var bit = 1UL << field;
            if ((seen & bit) != 0) throw new NotReadHere();
            seen |= bit;
            reader.Read();
            read(ref reader, record, field);
            next = field + 1;
        }
        if ((seen & names.Required) != names.Required) throw new NotReadHere();
        if (unknown is not null) extra!(record, unknown);
        return record;
    }

    private static void Unknown(ref Utf8JsonReader reader, ref Dictionary<string, JsonElement>? unknown)
    {
        var name = reader.GetString()!;
        reader.Read();
        unknown ??= new Dictionary<string, JsonElement>();
        if (!unknown.TryAdd(name, JsonElement.ParseValue(ref reader))) throw new NotReadHere();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type) throw new NotReadHere();
    }
}

/// <summary>The JSON names of one record type's fields, in the order the writer writes them, and which of them it requires.</summary>
internal sealed class FieldNames
{
    private readonly byte[][] _utf8;

    public FieldNames(string[] names, params string[] required)
    {
        if (names.Length > 64) throw new ArgumentException("at most 64 fields: they are marked in one 64-bit word", nameof(names));
        Names = names;
        _utf8 = [.. names.Select(Encoding.UTF8.GetBytes)];
        Required = required.Aggregate(0UL, (bits, name) =>
            bits | 1UL << (Array.IndexOf(names, name) is >= 0 and var i ? i : throw new ArgumentException(name, nameof(required))));
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The bits of the fields the record type requires: a record without one of them is not read here.</summary>
    public ulong Required { get; }

    /// <summary>
    /// Which field the reader's name is, or -1. The writer writes them in order, so the one after the last read is tried
    /// first: one comparison for most fields.
    /// </summary>
    public int IndexOf(ref Utf8JsonReader reader, int expected)
    {
        var name = reader.ValueSpan;
        if ((uint)expected < (uint)_utf8.Length && name.SequenceEqual(_utf8[expected])) return expected;
        for (var i = 0; i < _utf8.Length; i++)
        {
            if (name.SequenceEqual(_utf8[i])) return i;
        }
        return -1;
    }
}

/// <summary>The fast reader gives up: the file is read by the generated reader instead.</summary>
internal sealed class NotReadHere : Exception;
