namespace Waybill.Core.Stages;

/// <summary>
/// A problem a built-in stage finds in its config before anything runs: the key, what is wrong with it, and a value
/// that would do (for the hint that shows how to set it, e.g. <c>--set asr.url=http://localhost:8080/v1</c>).
/// </summary>
public sealed record ConfigProblem(string Key, string Message, string? Example = null);
