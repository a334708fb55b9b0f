using Waybill.Core.Stages;
using Waybill.Media;

namespace Waybill.Cli.Commands;

/// <summary>The built-in stages every command knows: the engine's own and the subtitle pipeline's.</summary>
internal static class Builtins
{
    public static BuiltinStages Create() => BuiltinStages.Default.AddMediaStages();
}
