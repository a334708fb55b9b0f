namespace Waybill.Core.Processes;

/// <summary>Thrown when a child process cannot be started: the command is not found or spawning fails.</summary>
public sealed class ProcessStartException : Exception
{
    public ProcessStartException()
    {
    }

    public ProcessStartException(string message)
        : base(message)
    {
    }

    public ProcessStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
