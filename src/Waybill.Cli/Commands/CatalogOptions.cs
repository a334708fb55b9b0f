using System.CommandLine;
using Waybill.Catalog;

namespace Waybill.Cli.Commands;

/// <summary>
/// <c>--catalog PATH|postgres://…|off</c>, shared by the commands that run stages and those that read the catalog; the
/// environment's <c>WAYBILL_CATALOG</c> stands in for it, and without either the catalog is a SQLite file in the user's
/// data directory.
/// </summary>
internal sealed class CatalogOptions
{
    public const string Variable = "WAYBILL_CATALOG";

    public Option<string?> Catalog { get; } = new("--catalog")
    {
        Description = $"The catalog across jobs: a SQLite file, a postgres:// URL, or off (default: $XDG_DATA_HOME/waybill/catalog.db, "
            + $"else ~/.local/share/waybill/catalog.db; {Variable})",
    };

    public void AddTo(Command command) => command.Options.Add(Catalog);

    /// <summary>The catalog to index into; null when it is off.</summary>
    public CatalogTarget? Read(ParseResult parse) => parse.GetValue(Catalog) is { } given ? Parse(given, "--catalog") : Default();

    /// <summary>The catalog a command that reads it uses; an error when it is off.</summary>
    public CatalogTarget Required(ParseResult parse) => Read(parse)
        ?? throw new CliException("the catalog is off (--catalog off or WAYBILL_CATALOG=off)", "give --catalog PATH or --catalog postgres://…");

    /// <summary>The environment's choice, else the user's data directory; null when it is off.</summary>
    public static CatalogTarget? Default()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } chosen) return Parse(chosen, Variable);
        var home = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        if (home is { Length: > 0 } && Path.IsPathFullyQualified(home)) return CatalogTarget.Parse(Path.Combine(home, "waybill", "catalog.db"));
        var user = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return user.Length > 0 ? CatalogTarget.Parse(Path.Combine(user, ".local", "share", "waybill", "catalog.db")) : null;
    }

    private static CatalogTarget? Parse(string text, string from)
    {
        if (text.Trim().ToLowerInvariant() is "off" or "0" or "no" or "false") return null;
        if (text.Trim().Length == 0) throw new CliException($"{from} names no catalog", $"give a file path, a postgres:// URL, or {Variable}=off");
        return CatalogTarget.Parse(text);
    }
}
