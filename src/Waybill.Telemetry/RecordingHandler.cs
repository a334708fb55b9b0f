namespace Waybill.Telemetry;

/// <summary>The exporters' HTTP: why a request failed (refused, timed out, an HTTP error) is kept for the run's one warning.</summary>
internal sealed class RecordingHandler(ExportFailures failures, TimeSpan timeout) : DelegatingHandler(new SocketsHttpHandler())
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        failures.Sent();
        try
        {
            return Checked(await base.SendAsync(request, cancellationToken));
        }
        catch (Exception e) when (Failed(e))
        {
            throw;
        }
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        failures.Sent();
        try
        {
            return Checked(base.Send(request, cancellationToken));
        }
        catch (Exception e) when (Failed(e))
        {
            throw;
        }
    }

    private HttpResponseMessage Checked(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode) failures.Add($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        return response;
    }

    /// <summary>Records why; false, so the exception goes on to the exporter unchanged.</summary>
    private bool Failed(Exception e)
    {
        failures.Add(e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.###} s" : e.Message);
        return false;
    }
}
