using Waybill.Core.Manifests;

namespace Waybill.Core.Integrity;

/// <summary>
/// An input that came from an upstream stage must be the file that stage recorded: same path, same checksum.
/// Otherwise the consumer's results were made from bytes the job no longer accounts for.
/// </summary>
internal static class LineageCheck
{
    public static void Check(StageManifest consumer, int index, FileRecord input, IReadOnlyDictionary<string, StageManifest> manifests, FindingSink sink)
    {
        // The producer's own manifest problem (missing, unreadable) is reported where it is; nothing to compare with here.
        if (input.FromStage is not { } from || !manifests.TryGetValue(from, out var producer)) return;
        var field = $"inputs[{index}].checksum";
        var output = producer.Outputs.FirstOrDefault(o => o.Path == input.Path);
        if (output is null)
        {
            sink.Add(new Finding(FindingSeverity.Error, "lineage_inconsistent", $"lineage inconsistent: {consumer.StageId} read {input.Path} from {from}, but {from} recorded no such output")
            {
                Stage = consumer.StageId,
                Path = input.Path,
                Field = $"inputs[{index}].path",
                Hint = $"run {from} and {consumer.StageId} again so their manifests describe the same files",
            });
            return;
        }
        if (input.Checksum is null || output.Checksum is null || string.Equals(input.Checksum, output.Checksum, StringComparison.OrdinalIgnoreCase)) return;
        sink.Add(new Finding(FindingSeverity.Error, "lineage_inconsistent", $"lineage inconsistent: {consumer.StageId} read {input.Path} with hash {input.Checksum} but {from} recorded {output.Checksum}")
        {
            Stage = consumer.StageId,
            Path = input.Path,
            Field = field,
            Expected = output.Checksum,
            Actual = input.Checksum,
            Hint = $"{from} ran again after {consumer.StageId} read its output, or a manifest was edited: run {consumer.StageId} again",
        });
    }
}
