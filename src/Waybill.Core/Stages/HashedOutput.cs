using Waybill.Core.Execution;
using Waybill.Core.Hashing;

namespace Waybill.Core.Stages;

/// <summary>
/// Creates a built-in stage's output file and, when the run keeps a checksum cache, hashes the bytes as they are
/// written and remembers the checksum, so the engine need not read the output back to record it.
/// </summary>
internal static class HashedOutput
{
    public static async Task WriteAsync(StageContext context, string target, Func<Stream, Task> write)
    {
        var file = File.Create(target);
        if (context.Checksums is not { } checksums)
        {
            await using (file) await write(file);
            return;
        }
        var hashing = new HashingWriteStream(file, checksums.Algorithm);
        await using (hashing) await write(hashing);
        checksums.Remember(target, hashing.Checksum);
    }
}
