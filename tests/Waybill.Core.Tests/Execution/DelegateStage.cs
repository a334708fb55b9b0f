using Waybill.Core.Execution;
using Waybill.Core.Stages;

namespace Waybill.Core.Tests.Execution;

/// <summary>A C# stage whose body is a lambda, for tests of the engine around it.</summary>
internal sealed class DelegateStage(Func<StageContext, CancellationToken, Task> body) : IStage
{
    public Task RunAsync(StageContext context, CancellationToken cancellationToken) => body(context, cancellationToken);

    public static Func<IStage> Of(Func<StageContext, CancellationToken, Task> body) => () => new DelegateStage(body);
}
