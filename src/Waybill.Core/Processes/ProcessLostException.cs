namespace Waybill.Core.Processes;

/// <summary>Thrown when a started child can no longer be followed: the process spawner that started it ended first.</summary>
public sealed class ProcessLostException : Exception
{
    public ProcessLostException()
    {
    }

    public ProcessLostException(string message)
        : base(message)
    {
    }

    public ProcessLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
