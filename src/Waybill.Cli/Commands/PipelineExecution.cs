using Microsoft.Extensions.Logging;
using Waybill.Cli.Output;
using Waybill.Core.Execution;
using Waybill.Core.Manifests;
using Waybill.Core.OpenLineage;
using Waybill.Core.Pipeline;

namespace Waybill.Cli.Commands;

/// <summary>How the CLI runs a pipeline: live progress on a terminal, plain lines when piped, a summary table at the end.</summary>
internal static class PipelineExecution
{
    /// <param name="OpenLineage">Where OpenLineage events go; null: as the environment says (logs/openlineage.jsonl at least).</param>
    public sealed record Settings(string? JobId, string OutputRoot, int MaxParallel, bool KeepGoing, bool LegacyStageLogs, bool Debug, IReadOnlyList<string> Overrides, OpenLineageSettings? OpenLineage = null)
    {
        /// <summary>What to rerun on an existing job (<c>--force</c>, <c>--from</c>, <c>--until</c>, <c>--explain</c>).</summary>
        public Selection Rerun { get; init; } = Selection.None;

        /// <summary>What the stages may use at once (<c>--cores</c>, <c>--memory</c>, <c>--gpus</c>); null: this machine's.</summary>
        public Core.Execution.Resources.RunResources? Resources { get; init; }

        /// <summary>The result cache folder (<c>--cache</c>, <c>--no-cache</c>, WAYBILL_CACHE); null: off.</summary>
        public string? Cache { get; init; }

        /// <summary>The catalog the run is indexed into when it ends (<c>--catalog</c>, WAYBILL_CATALOG); null: none.</summary>
        public Waybill.Catalog.CatalogTarget? Catalog { get; init; }

        /// <summary>Values to mask besides those the pipeline marks secret (what a resumed job was given again).</summary>
        public IReadOnlyList<string> Secrets { get; init; } = [];

        /// <summary>The OTLP/HTTP collector to export the run to (<c>--otlp-endpoint</c>); null: as the environment says.</summary>
        public string? OtlpEndpoint { get; init; }

        /// <summary>Prints the summary instead of the stage table (a season's one row per video); gets the optional stage ids.</summary>
        public Action<TextWriter, RunResult, IReadOnlySet<string>>? Table { get; init; }
    }

    public sealed record Selection(IReadOnlyList<string> Force, string? From, string? Until, bool Explain)
    {
        public static readonly Selection None = new([], null, null, false);
    }

    public static async Task<(RunResult Result, int ExitCode)> RunAsync(PipelineDefinition definition, Settings settings, TextWriter output, CancellationToken cancellationToken)
    {
        if (settings.MaxParallel < 1) throw new CliException($"--jobs must be at least 1, not {settings.MaxParallel}");
        // On a terminal a live bar counts finished stages under the log lines; piped output stays plain.
        // Rows cut to the width and log lines printed above the bars: a long line cannot split the display (LiveBoard).
        using var live = Terminal.IsInteractive ? LiveProgress.Board(output, definition, TimeProvider.System) : null;
        var decisions = new DecisionLog();
        var lineage = settings.OpenLineage ?? OpenLineageOptions.FromEnvironment();
        using var lineageObserver = lineage.Enabled ? new OpenLineageObserver(lineage) : null;
        using var telemetry = TelemetryOption.Observer(settings.OtlpEndpoint);
        var options = new RunOptions
        {
            JobId = settings.JobId,
            OutputRoot = settings.OutputRoot,
            MaxParallel = settings.MaxParallel,
            Resources = settings.Resources,
            KeepGoing = settings.KeepGoing,
            LegacyStageLogs = settings.LegacyStageLogs,
            Console = live is null ? new ConsoleLogSink(output) : new ConsoleLogSink(output, live),
            ConsoleLevel = settings.Debug ? LogLevel.Debug : LogLevel.Information,
            CommandLine = [.. Environment.GetCommandLineArgs().Skip(1)],
            Overrides = settings.Overrides,
            Secrets = [.. settings.Secrets, .. lineage.Secrets],
            Force = settings.Rerun.Force,
            From = settings.Rerun.From,
            Until = settings.Rerun.Until,
            // Kept for --explain only: a decision per stage run, held until the run ends.
            Decisions = settings.Rerun.Explain ? decisions : null,
            Cache = settings.Cache,
            Observers = [.. new IRunObserver?[] { lineageObserver, telemetry, Catalog(settings) }.OfType<IRunObserver>()],
            // Printed as soon as the stages have ended, while the catalog writes its last transaction (the 500-stage
            // benchmark's summary takes about 1 ms to print); on a terminal, once the live bars are gone.
            Ended = live is null ? result => PrintSummary(output, settings, definition, decisions, result) : null,
        };
        var result = live is null
            ? await PipelineRunner.RunAsync(definition, options, cancellationToken)
            : await LiveProgress.RunAsync(live, definition, options, cancellationToken);
        if (live is not null) PrintSummary(output, settings, definition, decisions, result);
        var code = result.Status switch
        {
            StageStatus.Success => ExitCodes.Success,
            StageStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.StageFailed,
        };
        return (result, code);
    }

    private static void PrintSummary(TextWriter output, Settings settings, PipelineDefinition definition, DecisionLog decisions, RunResult result)
    {
        var optional = definition.Stages.Where(s => s.Controls.Optional).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        if (settings.Table is { } table) table(output, result, optional);
        else Summary.Print(output, result.JobDir, result.Stages.Select(s => s.Manifest).ToList(), optional, result.Warnings, cost: result.Cost);
        if (settings.Rerun.Explain) Explanation.Print(output, result.Stages, decisions, definition);
        output.WriteLine($"Job folder:   {Relative(result.JobDir)}");
        output.WriteLine($"Pipeline log: {Relative(result.PipelineLog)}");
    }

    private static Waybill.Catalog.CatalogObserver? Catalog(Settings settings) =>
        settings.Catalog is { } target ? new Waybill.Catalog.CatalogObserver(target, TimeProvider.System) : null;

    public static string Relative(string path) => Path.GetRelativePath(Environment.CurrentDirectory, path);
}
