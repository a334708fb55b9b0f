using System.Globalization;

namespace Waybill.Core.IO;

/// <summary>
/// A file holds more than its kind ever does (a link to <c>/dev/zero</c>, a copy of something else, a damaged file), or a
/// line longer than one of its lines may be: read no further than the bound. An <see cref="IOException"/>, so a reader that
/// already passes over an unreadable cache file passes over this one too.
/// </summary>
public sealed class FileLimitException : IOException
{
    private FileLimitException(string path, long maxBytes, int? line, string message)
        : base(message) => (FilePath, MaxBytes, Line) = (path, maxBytes, line);

    /// <summary>The file that was refused.</summary>
    public string FilePath { get; }

    /// <summary>The bound it went past: bytes of the file, or of one line when <see cref="Line"/> is set.</summary>
    public long MaxBytes { get; }

    /// <summary>The 1-based line that was too long; null when the whole file was.</summary>
    public int? Line { get; }

    /// <param name="kind">What the file is, as a person calls it ("job journal").</param>
    /// <param name="whatToDo">What to do about it, as one clause.</param>
    public static FileLimitException TooLarge(string path, long maxBytes, string kind, string whatToDo) =>
        new(path, maxBytes, null, $"{path}: more than {Size(maxBytes)}, the most a {kind} may hold "
            + $"(is it a link to a device or to another file?); {whatToDo}");

    public static FileLimitException LineTooLong(string path, int line, long maxBytes, string kind, string whatToDo) =>
        new(path, maxBytes, line, $"{path}:{line.ToString(CultureInfo.InvariantCulture)}: a line of more than {Size(maxBytes)}, "
            + $"the most a line of a {kind} may hold; {whatToDo}");

    /// <summary>"128 MiB", "64 KiB" or "1,000 bytes": the bound as it was written in the code.</summary>
    public static string Size(long bytes) =>
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? (bytes >> 20).ToString("N0", CultureInfo.InvariantCulture) + " MiB"
        : bytes >= 1 << 10 && bytes % (1 << 10) == 0 ? (bytes >> 10).ToString("N0", CultureInfo.InvariantCulture) + " KiB"
        : bytes.ToString("N0", CultureInfo.InvariantCulture) + " bytes";
}
