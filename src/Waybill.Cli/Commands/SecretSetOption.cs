using System.CommandLine;

namespace Waybill.Cli.Commands;

/// <summary>
/// <c>--set</c> of <c>resume</c> and <c>exec-stage</c>: only the secrets the job was given, again (config is as the job recorded it).
/// </summary>
internal static class SecretSetOption
{
    public static Option<string[]> Create() => new("--set")
    {
        Description = "Give again a secret config value the job was given (key=value); repeatable. Or set WAYBILL_SECRET_<KEY>",
        AllowMultipleArgumentsPerToken = false,
    };
}
