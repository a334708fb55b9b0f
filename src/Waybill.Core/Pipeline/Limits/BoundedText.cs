using System.Globalization;
using System.Text;

namespace Waybill.Core.Pipeline.Limits;

/// <summary>Reads a pipeline file no larger than <see cref="PipelineLimits.MaxBytes"/>, stopping when cancelled.</summary>
internal static class BoundedText
{
    public static string Read(string path, PipelineLimits limits, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        // The length says at once what a regular file holds; a pipe or a growing file is also read no further than the limit.
        if (stream.CanSeek) ThrowIfTooLarge(path, stream.Length, limits);
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        // At most one byte past the limit (written so that a limit of long.MaxValue cannot overflow).
        while ((read = stream.Read(chunk, 0, ReadSize(limits.MaxBytes - buffer.Length, chunk.Length))) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            buffer.Write(chunk, 0, read);
            ThrowIfTooLarge(path, buffer.Length, limits);
        }
        buffer.Position = 0;
        // As File.ReadAllText: UTF-8 unless a byte order mark says otherwise.
        using var reader = new StreamReader(buffer, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    private static int ReadSize(long room, int chunk) => room < chunk ? (int)room + 1 : chunk;

    public static void ThrowIfTooLarge(string path, long bytes, PipelineLimits limits)
    {
        if (bytes <= limits.MaxBytes) return;
        var size = bytes.ToString("N0", CultureInfo.InvariantCulture);
        throw new PipelineInvalidException(new PipelineError(
            $"pipeline file '{path}' is " +
            $"{(bytes > limits.MaxBytes + 1 ? size : "more than " + limits.MaxBytes.ToString("N0", CultureInfo.InvariantCulture))} bytes, " +
            $"over the limit of {limits.MaxBytes.ToString("N0", CultureInfo.InvariantCulture)}",
            Hint: PipelineLimits.RaiseHint(PipelineLimits.BytesVariable, "keep data out of the pipeline file (give it to a stage as an input)")));
    }
}
