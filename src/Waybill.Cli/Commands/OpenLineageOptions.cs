using System.CommandLine;
using System.Globalization;
using Waybill.Core.OpenLineage;

namespace Waybill.Cli.Commands;

/// <summary>
/// The OpenLineage options of the commands that run a pipeline, with the environment variables the OpenLineage
/// clients use as their defaults (OPENLINEAGE_URL, OPENLINEAGE_NAMESPACE, OPENLINEAGE_API_KEY, OPENLINEAGE_DISABLED).
/// </summary>
internal sealed class OpenLineageOptions
{
    public Option<string?> Url { get; } = new("--openlineage-url")
    {
        Description = "Also POST OpenLineage events to this server (Marquez: http://host:5000; /api/v1/lineage is added); default $OPENLINEAGE_URL",
    };

    public Option<string?> Namespace { get; } = new("--openlineage-namespace")
    {
        Description = $"OpenLineage job namespace; default $OPENLINEAGE_NAMESPACE or '{OpenLineageSettings.DefaultNamespace}'",
    };

    public Option<double?> Timeout { get; } = new("--openlineage-timeout")
    {
        Description = "Seconds one POST may take (default 5); at the end the run waits at most twice this for unsent events",
    };

    public Option<bool> Off { get; } = new("--no-openlineage")
    {
        Description = "Neither write logs/openlineage.jsonl nor send events (also OPENLINEAGE_DISABLED=true)",
    };

    public void AddTo(Command command)
    {
        command.Add(Url);
        command.Add(Namespace);
        command.Add(Timeout);
        command.Add(Off);
    }

    public OpenLineageSettings Read(ParseResult parse) =>
        Settings(parse.GetValue(Url), parse.GetValue(Namespace), parse.GetValue(Timeout), parse.GetValue(Off));

    /// <summary>For a run started without these options: the environment alone decides.</summary>
    public static OpenLineageSettings FromEnvironment() => Settings(null, null, null, off: false);

    private static OpenLineageSettings Settings(string? url, string? ns, double? timeoutSeconds, bool off)
    {
        if (off || Environment.GetEnvironmentVariable("OPENLINEAGE_DISABLED") is { } disabled && disabled.Trim().ToUpperInvariant() is "TRUE" or "1" or "YES")
            return new OpenLineageSettings { Enabled = false };

        var settings = new OpenLineageSettings();
        var (urlText, urlSource) = url is not null ? (url, "--openlineage-url") : (Variable("OPENLINEAGE_URL"), "OPENLINEAGE_URL");
        if (urlText is not null)
        {
            var endpoint = OpenLineageSettings.ParseEndpoint(urlText, out var problem) ?? throw new CliException($"{urlSource}: {problem}");
            settings = settings with { Endpoint = endpoint, ApiKey = Variable("OPENLINEAGE_API_KEY") };
        }

        var (nsText, nsSource) = ns is not null ? (ns, "--openlineage-namespace") : (Variable("OPENLINEAGE_NAMESPACE"), "OPENLINEAGE_NAMESPACE");
        if (nsText is not null)
        {
            if (string.IsNullOrWhiteSpace(nsText)) throw new CliException($"{nsSource} must not be empty", "leave it out for the default namespace 'waybill'");
            settings = settings with { Namespace = nsText.Trim() };
        }

        if (timeoutSeconds is { } seconds)
        {
            if (!(seconds > 0 && seconds <= 600))
                throw new CliException($"--openlineage-timeout must be a number of seconds above 0 and at most 600, not {seconds.ToString(CultureInfo.InvariantCulture)}");
            settings = settings with { RequestTimeout = TimeSpan.FromSeconds(seconds), DrainTimeout = TimeSpan.FromSeconds(2 * seconds) };
        }
        return settings;
    }

    /// <summary>An environment variable, or null when unset or empty (an empty OPENLINEAGE_URL= means none).</summary>
    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
