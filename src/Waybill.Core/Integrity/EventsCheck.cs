using System.Text.Json;
using Waybill.Core.Jobs;

namespace Waybill.Core.Integrity;

/// <summary>
/// <c>logs/events.jsonl</c> line by line: every line must be one whole JSON object. A line cut short (a full disk, a
/// killed writer) or edited into something else is named with its line number; its seal is LogSealCheck's.
/// </summary>
internal static class EventsCheck
{
    private const int MostReported = 10;

    public static void Check(JobLayout layout, FindingSink sink)
    {
        var path = layout.EventsPath;
        if (!File.Exists(path)) return;
        var relative = layout.RelativeToJob(path)!;
        sink.FileChecked();
        var broken = 0;
        try
        {
            using var reader = new StreamReader(path, new System.Text.UTF8Encoding(false), false, 1 << 16);
            var number = 0;
            while (reader.ReadLine() is { } line)
            {
                number++;
                if (IsObject(line)) continue;
                if (++broken > MostReported) continue;
                var last = reader.Peek() < 0;
                var why = line.Length == 0 ? "is empty"
                    : last && !EndsWithNewline(path) ? "is cut short (the file ends inside it)"
                    : "is not one JSON object";
                sink.Add(new Finding(FindingSeverity.Error, "events_line_broken", $"{relative} line {number} {why}")
                {
                    Path = relative,
                    Field = $"line {number}",
                    Actual = line.Length > 80 ? line[..80] + "…" : line,
                    Hint = "the event log lost or changed a line (a full disk or a killed writer cuts one short); "
                        + "the stage manifests still hold each stage's record",
                });
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            sink.Add(new Finding(FindingSeverity.Error, "log_unreadable", $"{relative} cannot be read: {e.Message}") { Path = relative });
            return;
        }
        if (broken > MostReported)
        {
            sink.Add(new Finding(FindingSeverity.Error, "events_line_broken", $"{relative}: {broken - MostReported} more broken lines not listed")
            {
                Path = relative,
            });
        }
    }

    private static bool IsObject(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool EndsWithNewline(string path)
    {
        using var file = File.OpenHandle(path);
        var length = RandomAccess.GetLength(file);
        Span<byte> last = stackalloc byte[1];
        return length > 0 && RandomAccess.Read(file, last, length - 1) == 1 && last[0] == (byte)'\n';
    }
}
