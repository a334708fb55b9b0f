using System.Text.Json.Nodes;

namespace Waybill.Core.Stages;

/// <summary>
/// Checks a built-in stage's effective config (pipeline config, stage config and <c>--set</c> merged) when the pipeline
/// is loaded, so that <c>waybill validate</c> reports a bad setting and <c>waybill run</c> refuses it before any stage
/// runs. Only what can be known without running: names, ranges, settings that need each other. Must not throw.
/// </summary>
public delegate IEnumerable<ConfigProblem> StageConfigCheck(JsonObject config);
