namespace Waybill.Core.Stages;

/// <summary>The stage cannot run and should not: e.g. an optional upstream stage was skipped, so its input does not exist.</summary>
public sealed class StageSkippedException(string reason) : Exception(reason);
