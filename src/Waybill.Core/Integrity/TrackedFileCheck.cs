using System.Globalization;
using Waybill.Core.Jobs;

namespace Waybill.Core.Integrity;

/// <summary>One recorded file against the disk: there, a regular file, the recorded size, the recorded checksum.</summary>
internal static class TrackedFileCheck
{
    public static void Check(JobLayout layout, FileExpectation expected, SharedHasher hasher, FindingSink sink, bool fast)
    {
        var record = expected.Record;
        var full = layout.Resolve(record.Path);
        sink.FileChecked();
        var probe = FileProbe.Probe(full);
        var nothingRecorded = record.Checksum is null && record.SizeBytes is null;
        // A record without size or checksum names something that was never a hashed file (a model folder): it only has to be there.
        if (nothingRecorded && probe.Kind is ProbedKind.RegularFile or ProbedKind.Directory) return;
        if (probe.Problem is { } problem)
        {
            var kind = probe.Kind switch
            {
                ProbedKind.Missing => "missing",
                ProbedKind.Directory => "not_a_file",
                ProbedKind.DanglingLink => "dangling_link",
                ProbedKind.SymlinkLoop => "symlink_loop",
                _ => "unreadable",
            };
            Report((kind, $"{expected.Description} {problem}"), null);
            return;
        }
        if (record.SizeBytes is { } size && size != probe.Length)
        {
            Report(("size_changed", $"{expected.Description} was changed: it is {probe.Length} bytes, the manifest recorded {size}"), ("size_bytes", size.ToString(CultureInfo.InvariantCulture), probe.Length.ToString(CultureInfo.InvariantCulture)));
            return;
        }
        if (record.Checksum is not { } checksum) return;
        // --fast trusts an unchanged size and modification time; by default every byte is read, since tampering can keep both.
        if (fast && record.Mtime is { } mtime && mtime.UtcDateTime == probe.LastWriteUtc) return;
        var hash = hasher.Hash(full, checksum);
        if (!hash.Succeeded)
        {
            Report(("unreadable", $"{expected.Description} cannot be read: {hash.Error}"), null);
            return;
        }
        if (!string.Equals(hash.Checksum, checksum, StringComparison.OrdinalIgnoreCase))
            Report(("checksum_mismatch", $"{expected.Description} was changed: its content hashes to {hash.Checksum}, the manifest recorded {checksum}"), ("checksum", checksum, hash.Checksum));

        void Report((string Kind, string Message) what, (string Field, string Expected, string? Actual)? values)
        {
            var message = expected.Consequence is null ? what.Message : $"{what.Message}: {expected.Consequence}";
            sink.Add(new Finding(expected.Severity, what.Kind, message)
            {
                Stage = expected.Stage,
                Path = record.Path,
                Field = values is { } v ? $"{expected.Field}.{v.Field}" : expected.Field,
                Expected = values?.Expected ?? record.Checksum,
                Actual = values?.Actual,
                Hint = expected.Hint,
            });
        }
    }
}
