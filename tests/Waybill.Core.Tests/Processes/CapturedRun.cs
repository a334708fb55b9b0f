using Waybill.Core.Processes;

namespace Waybill.Core.Tests.Processes;

internal sealed record CapturedRun(ProcessResult Result, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr);
