using Npgsql;

namespace Waybill.Catalog;

/// <summary>
/// <c>postgres://user:password@host:port/database?sslmode=require&amp;host=/run/postgresql</c> as Npgsql's connection string.
/// Npgsql reads only its own key=value form; the URL is what people copy from their hosting provider.
/// </summary>
internal static class PostgresUrl
{
    public static string ToConnectionString(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            throw new CatalogException($"catalog URL {Masked(url)} is not a valid URL: write postgres://user@host:5432/database");
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host.Length > 0 ? Uri.UnescapeDataString(uri.Host) : "localhost",
            Database = uri.AbsolutePath.Trim('/') is { Length: > 0 } db ? Uri.UnescapeDataString(db) : "postgres",
            // One connection per command: a catalog write is one short transaction.
            Pooling = false,
            Timeout = 5,
            ApplicationName = "waybill",
        };
        if (uri.Port > 0) builder.Port = uri.Port;
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[key] = value;
            }
            catch (ArgumentException e)
            {
                throw new CatalogException($"catalog URL {Masked(url)}: option '{key}' is not one Npgsql knows ({e.Message})", e);
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The URL with its password replaced by <c>***</c>: what messages show.</summary>
    public static string Masked(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        var at = url.IndexOf('@', StringComparison.Ordinal);
        var masked = url;
        if (scheme >= 0 && at > scheme)
        {
            var colon = url.IndexOf(':', scheme + 3);
            if (colon > 0 && colon < at) masked = url[..(colon + 1)] + "***" + url[at..];
        }
        return System.Text.RegularExpressions.Regex.Replace(masked, "(?i)([?&]password=)[^&]*", "$1***");
    }
}
