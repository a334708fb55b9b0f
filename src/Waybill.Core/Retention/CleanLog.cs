using System.Globalization;
using System.Text;
using Waybill.Core.Jobs;

namespace Waybill.Core.Retention;

/// <summary><c>logs/clean.log</c>: one line per deleted file, so what clean removed stays readable without a JSON tool.</summary>
internal static class CleanLog
{
    public static string PathOf(JobLayout layout) => Path.Combine(layout.LogsDir, "clean.log");

    public static void Append(JobLayout layout, DateTimeOffset when, CleanedFile file, string reason)
    {
        Directory.CreateDirectory(layout.LogsDir);
        var size = file.RecordedSize is { } bytes ? bytes.ToString(CultureInfo.InvariantCulture) + " bytes" : "size unknown";
        var line = string.Create(CultureInfo.InvariantCulture, $"[{when.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z] deleted {file.Path} ({size}, {file.Checksum ?? "no checksum"}): {reason}{Environment.NewLine}");
        File.AppendAllText(PathOf(layout), line, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }
}
