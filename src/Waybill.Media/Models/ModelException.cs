namespace Waybill.Media.Models;

/// <summary>A model could not be found, fetched, verified or described; the message says what, where and what to do.</summary>
public class ModelException(string message, string? hint = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>What the user can do about it, when there is something to say.</summary>
    public string? Hint { get; } = hint;
}
