using System.Buffers;

namespace Waybill.Media.Models.Fetching;

/// <summary>Copies a download into its partial file, with an idle timeout, the pinned size as the bound, and progress.</summary>
internal static class StreamCopy
{
    public static async Task CopyAsync(Stream source, PartialFile sink, string from, TimeSpan idleTimeout, Action<long>? progress,
        CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            while (true)
            {
                int read;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    idle.CancelAfter(idleTimeout);
                    try
                    {
                        read = await source.ReadAsync(buffer, idle.Token);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        throw new ModelFetchException(
                            $"no data from {from} for {idleTimeout.TotalSeconds:0} s, after {sink.Length:N0} of {sink.Expected:N0} bytes", ResumeHint);
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException)
                    {
                        throw new ModelFetchException(
                            $"the download from {from} broke off after {sink.Length:N0} of {sink.Expected:N0} bytes: {e.Message}", ResumeHint, e);
                    }
                }
                if (read == 0) break;
                if (!sink.TryAppend(buffer.AsSpan(0, read)))
                {
                    sink.Delete();
                    throw new ModelFetchException(
                        $"{from} sent more than the pinned {sink.Expected:N0} bytes: not this model; the download was deleted, nothing was installed",
                        "check the URL (a mirror serves each model by its file name)");
                }
                progress?.Invoke(sink.Length);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (sink.Length < sink.Expected)
            throw new ModelFetchException($"the download from {from} ended after {sink.Length:N0} of {sink.Expected:N0} bytes", ResumeHint);
    }

    public const string ResumeHint = "run the same command again: it continues where this download stopped";
}
