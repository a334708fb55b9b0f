using System.CommandLine;

namespace Waybill.Cli.Commands;

/// <summary>
/// <c>--cache DIR</c> and <c>--no-cache</c>, shared by the commands that run stages; the environment's
/// <c>WAYBILL_CACHE</c> (a folder, or <c>off</c>) stands in for them, and without either the cache lives in the user's
/// cache directory.
/// </summary>
internal sealed class CacheOptions
{
    public const string Variable = "WAYBILL_CACHE";

    public Option<string?> Folder { get; } = new("--cache")
    {
        Description = $"Result cache shared across jobs (default: $XDG_CACHE_HOME/waybill/results, else ~/.cache/waybill/results; {Variable}=DIR|off)",
    };

    public Option<bool> Off { get; } = new("--no-cache") { Description = "Neither restore results from the result cache nor store them in it" };

    public void AddTo(Command command)
    {
        command.Options.Add(Folder);
        command.Options.Add(Off);
    }

    /// <summary>The cache folder for this run, or null when it is off.</summary>
    public string? Read(ParseResult parse)
    {
        var folder = parse.GetValue(Folder);
        if (parse.GetValue(Off))
        {
            if (folder is not null) throw new CliException("--cache and --no-cache contradict each other", "give one of them");
            return null;
        }
        return folder is not null ? Full(folder, "--cache") : Default();
    }

    /// <summary><c>--cache</c> when given, else the environment's choice; null when the cache is off.</summary>
    public static string? Default()
    {
        var chosen = Environment.GetEnvironmentVariable(Variable);
        if (chosen is { Length: > 0 })
            return chosen.Trim().ToLowerInvariant() is "off" or "0" or "no" or "false" ? null : Full(chosen, Variable);
        var home = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (home is { Length: > 0 } && Path.IsPathFullyQualified(home)) return Path.Combine(home, "waybill", "results");
        var user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return user.Length > 0 ? Path.Combine(user, ".cache", "waybill", "results") : null;
    }

    private static string Full(string folder, string from)
    {
        if (folder.Trim().Length == 0) throw new CliException($"{from} names no folder", $"give a folder, or {Variable}=off to turn the cache off");
        return Path.GetFullPath(folder);
    }
}
