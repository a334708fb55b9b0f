namespace Waybill.Core.Stages;

/// <summary>A stage failed for a reason it can state in one line; no stack trace is needed to understand it.</summary>
public sealed class StageFailedException : Exception
{
    public StageFailedException(string message) : base(message) { }

    public StageFailedException(string message, Exception inner) : base(message, inner) { }
}
