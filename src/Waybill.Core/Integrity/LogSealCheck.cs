using System.Globalization;
using Waybill.Core.Jobs;
using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// A log against its seal (size and checksum recorded when the manifest was written). Logs only ever grow while a run
/// writes them, so a longer log whose first bytes still match had lines appended; anything else means it was changed.
/// </summary>
internal static class LogSealCheck
{
    private const string Hint = "logs are part of the job's record: restore the log from a copy, or run the stage again to write a new one";

    public static void Check(JobLayout layout, string? stage, string field, FileRecord seal, SharedHasher hasher, FindingSink sink)
    {
        var full = layout.Resolve(seal.Path);
        var name = seal.Path;
        sink.FileChecked();
        var probe = FileProbe.Probe(full);
        if (probe.Problem is { } problem)
        {
            Add(probe.Kind == ProbedKind.Missing ? "log_missing" : "log_unreadable", $"{name} {problem}");
            return;
        }
        if (seal.Segments is { Count: > 0 } segments)
        {
            CheckSegments(segments, probe.Length);
            return;
        }
        if (seal.Checksum is not { } sealedChecksum || seal.SizeBytes is not { } sealedSize) return;
        var sizes = (Sealed: sealedSize.ToString(CultureInfo.InvariantCulture), Now: probe.Length.ToString(CultureInfo.InvariantCulture));
        if (probe.Length > sealedSize)
        {
            var prefix = hasher.HashPrefix(full, sealedChecksum, sealedSize);
            var appended = probe.Length - sealedSize;
            if (!prefix.Succeeded) Add("log_unreadable", $"{name} cannot be read: {prefix.Error}");
            else if (string.Equals(prefix.Checksum, sealedChecksum, StringComparison.OrdinalIgnoreCase))
                Add("log_appended", $"{name}: {appended} bytes were appended after the manifest was written", "size_bytes", sizes.Sealed, sizes.Now);
            else
                Add("log_changed", $"{name} was changed after the manifest was written (and grew by {appended} bytes)", "size_bytes", sizes.Sealed, sizes.Now);
            return;
        }
        if (probe.Length < sealedSize)
        {
            Add("log_changed", $"{name} was changed after the manifest was written: it is {probe.Length} bytes, {sealedSize} when sealed", "size_bytes", sizes.Sealed, sizes.Now);
            return;
        }
        var hash = hasher.Hash(full, sealedChecksum);
        if (!hash.Succeeded) Add("log_unreadable", $"{name} cannot be read: {hash.Error}");
        else if (!string.Equals(hash.Checksum, sealedChecksum, StringComparison.OrdinalIgnoreCase))
            Add("log_changed", $"{name} was changed after the manifest was written (same size, different content)", "checksum", sealedChecksum, hash.Checksum);

        // Each run's part against its own seal; bytes after the last part were appended since.
        void CheckSegments(List<LogSegment> segments, long length)
        {
            var sealedEnd = segments[^1].Offset + segments[^1].SizeBytes;
            var (sealedText, nowText) = (sealedEnd.ToString(CultureInfo.InvariantCulture), length.ToString(CultureInfo.InvariantCulture));
            if (length < sealedEnd)
            {
                Add("log_changed", $"{name} was changed after the manifest was written: it is {length} bytes, {sealedEnd} when sealed",
                    "size_bytes", sealedText, nowText);
                return;
            }
            for (var i = 0; i < segments.Count; i++)
            {
                var segment = segments[i];
                var hash = hasher.HashRange(full, segment.Checksum, segment.Offset, segment.SizeBytes);
                if (hash.Succeeded && string.Equals(hash.Checksum, segment.Checksum, StringComparison.OrdinalIgnoreCase)) continue;
                var by = segment.RunId is { } runId ? $"appended by run {runId}" : "sealed before logs were sealed by parts";
                var bytes = $"bytes {segment.Offset}–{segment.Offset + segment.SizeBytes} ({by})";
                if (!hash.Succeeded) Add("log_unreadable", $"{name} cannot be read: {hash.Error}");
                else Add("log_changed", $"{name} was changed after the manifest was written: {bytes} differ", $"run_parts[{i}].checksum",
                    segment.Checksum, hash.Checksum);
                return;
            }
            if (length > sealedEnd)
                Add("log_appended", $"{name}: {length - sealedEnd} bytes were appended after the manifest was written", "size_bytes",
                    sealedText, nowText);
        }

        void Add(string kind, string message, string? part = null, string? expected = null, string? actual = null) =>
            sink.Add(new Finding(FindingSeverity.Error, kind, message)
            {
                Stage = stage,
                Path = seal.Path,
                Field = part is null ? field : $"{field}.{part}",
                Expected = expected,
                Actual = actual,
                Hint = Hint,
            });
    }
}
