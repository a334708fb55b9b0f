using System.CommandLine;

namespace Waybill.Cli.Commands;

/// <summary><c>--out DIR</c>, repeatable: the folders of job folders a catalog is rebuilt from.</summary>
internal static class JobRoots
{
    public static Option<string[]> Option() => new("--out", "-o")
    {
        Description = "Folder that holds job folders, scanned when the catalog is (re)built; repeatable",
        DefaultValueFactory = _ => ["out"],
        AllowMultipleArgumentsPerToken = false,
    };

    public static IReadOnlyList<string> Read(ParseResult parse, Option<string[]> option) =>
        [.. (parse.GetValue(option) is { Length: > 0 } roots ? roots : ["out"]).Select(Path.GetFullPath)];
}
