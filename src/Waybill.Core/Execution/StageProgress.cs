namespace Waybill.Core.Execution;

/// <summary>
/// How far a long stage is: <paramref name="Done"/> of <paramref name="Total"/> <paramref name="Unit"/> (ASR's segments,
/// a fan-out's items). Progress displays show it as a bar with the time left; nothing records it.
/// </summary>
public sealed record StageProgress(string StageId, long Done, long Total, string Unit);
