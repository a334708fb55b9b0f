using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Waybill.Core.Manifests;

/// <summary>
/// Explains a read that failed on a field's value: which field (from the reader's JSON path), what it holds (read
/// from the document) and what it should hold (from the manifest type's own metadata, so it never drifts).
/// </summary>
internal static class ManifestFieldError
{
    private const int MaxShown = 80;

    /// <summary>The field error for a failed read, or null when the failure is not about one field's value (broken JSON).</summary>
    public static ManifestFieldException? Explain(string path, byte[] bytes, JsonException error, JsonTypeInfo root)
    {
        if (string.IsNullOrEmpty(error.Path) || error.Path == "$") return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            return null; // not well-formed: the reader's line and byte already say where
        }
        using (document)
        {
            var segments = Segments(error.Path);
            var field = Display(segments);
            string actual;
            try
            {
                actual = Value(document.RootElement, segments) is { } value ? Shorten(value.GetRawText()) : "nothing";
            }
            catch (InvalidOperationException)
            {
                return null; // text that is not valid UTF-8: the reader's own message says so, with line and byte
            }
            var expected = Expected(root, segments);
            var where = error.LineNumber is { } line
                ? $" at line {(line + 1).ToString(CultureInfo.InvariantCulture)}, "
                    + $"byte {((error.BytePositionInLine ?? 0) + 1).ToString(CultureInfo.InvariantCulture)}"
                : "";
            return new ManifestFieldException(path, $"field {field}{where}: {actual} is not {expected}", field, expected, actual);
        }
    }

    /// <summary>"$.outputs[0].size_bytes" or "$['odd.name']" as property names and array indexes.</summary>
    private static List<object> Segments(string jsonPath)
    {
        var segments = new List<object>();
        var i = 1; // after '$'
        while (i < jsonPath.Length)
        {
            if (jsonPath[i] == '.')
            {
                var end = i + 1;
                while (end < jsonPath.Length && jsonPath[end] is not ('.' or '[')) end++;
                segments.Add(jsonPath[(i + 1)..end]);
                i = end;
            }
            else if (jsonPath[i] == '[' && i + 1 < jsonPath.Length && jsonPath[i + 1] == '\'')
            {
                var end = jsonPath.IndexOf("']", i + 2, StringComparison.Ordinal);
                if (end < 0) break;
                segments.Add(jsonPath[(i + 2)..end]);
                i = end + 2;
            }
            else if (jsonPath[i] == '[')
            {
                var end = jsonPath.IndexOf(']', i);
                if (end < 0 || !int.TryParse(jsonPath.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    break;
                segments.Add(index);
                i = end + 1;
            }
            else break;
        }
        return segments;
    }

    private static string Display(List<object> segments)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in segments)
        {
            if (segment is int index) text.Append('[').Append(index.ToString(CultureInfo.InvariantCulture)).Append(']');
            else text.Append(text.Length == 0 ? "" : ".").Append((string)segment);
        }
        return text.ToString();
    }

    private static JsonElement? Value(JsonElement element, List<object> segments)
    {
        foreach (var segment in segments)
        {
            if (segment is int index && element.ValueKind == JsonValueKind.Array && index < element.GetArrayLength()) element = element[index];
            else if (segment is string name && element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var child))
                element = child;
            else return null;
        }
        return element;
    }

    private static string Expected(JsonTypeInfo root, List<object> segments)
    {
        var info = root;
        foreach (var segment in segments)
        {
            Type? next = segment is string name && info.Kind == JsonTypeInfoKind.Object
                ? info.Properties.FirstOrDefault(p => p.Name == name)?.PropertyType
                : info.ElementType;
            if (next is null) return "what this field holds";
            info = info.Options.GetTypeInfo(next);
        }
        return Describe(info);
    }

    private static string Describe(JsonTypeInfo info)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return "a date and time in ISO 8601 (e.g. \"2025-11-27T13:30:01Z\")";
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong))
            return "a whole number (without quotes)";
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return "a number (without quotes)";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(string)) return "a string";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type).Select(n => JsonNamingPolicy.SnakeCaseLower.ConvertName(n)))}";
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Object => "an object",
            _ => "what this field holds",
        };
    }

    private static string Shorten(string text) => text.Length <= MaxShown ? text : text[..(MaxShown - 1)] + "…";
}
