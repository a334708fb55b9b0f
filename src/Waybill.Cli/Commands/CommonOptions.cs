using System.CommandLine;

namespace Waybill.Cli.Commands;

internal static class CommonOptions
{
    public static Option<string> Out() => new("--out", "-o")
    {
        Description = "Folder that holds job folders",
        DefaultValueFactory = _ => "out",
    };

    public static Argument<string?> OptionalJob() => new("job")
    {
        Description = "Job id (a folder under --out) or path to a job folder; the latest job when omitted",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Argument<string> Job() => new("job") { Description = "Job id (a folder under --out) or path to a job folder" };

    /// <summary>--openlineage-url, --openlineage-namespace, --openlineage-timeout, --no-openlineage: add them with <c>AddTo</c>.</summary>
    public static OpenLineageOptions OpenLineage() => new();
}
