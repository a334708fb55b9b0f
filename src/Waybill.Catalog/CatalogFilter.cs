using System.Data.Common;
using System.Text;
using Waybill.Core.Manifests;

namespace Waybill.Catalog;

/// <summary>The friendly filters of <c>waybill jobs</c> and <c>waybill query</c>, as a SQL condition with parameters.</summary>
internal sealed record CatalogFilter
{
    /// <summary>A stage's name (<c>asr</c>) or id (<c>06_asr</c>, <c>06_asr[episode-01]</c>).</summary>
    public string? Stage { get; init; }
    public StageStatus? Status { get; init; }
    public DateTimeOffset? Since { get; init; }
    public string? Job { get; init; }
    public string? Pipeline { get; init; }

    /// <summary>Parses <c>--status</c>: one of the statuses a stage or job can end with.</summary>
    public static StageStatus ParseStatus(string text)
    {
        try
        {
            return StageStatusText.Parse(text.Trim().ToLowerInvariant());
        }
        catch (FormatException)
        {
            throw new CatalogException($"--status '{text}' is not a status: use success, failed, skipped, cancelled, running or pending");
        }
    }

    /// <summary>Whether <see cref="StageRunCondition"/> reads the jobs <c>j</c> the stage runs are joined with.</summary>
    internal bool NeedsJobs => Pipeline is not null;

    /// <summary>The condition on stage runs <c>s</c> joined with their jobs <c>j</c>; empty when nothing is filtered.</summary>
    internal string StageRunCondition(DbCommand command)
    {
        var where = new StringBuilder();
        if (Stage is { } stage) And(where, command, "(s.stage = @stage OR s.stage_id = @stage)", "@stage", stage);
        // A status other than success is found through the index of the runs that did not succeed, which SQLite reads only for
        // a query that repeats the index's condition; success, most runs, through the index by start time.
        if (Status is { } status)
        {
            var condition = status == StageStatus.Success
                ? "s.status = @status"
                : $"s.status = @status AND {CatalogSchema.Unsuccessful("s")}";
            And(where, command, condition, "@status", status.ToText());
        }
        if (Since is { } since) And(where, command, "s.started >= @since", "@since", SqlParameters.Time(since));
        // By the job's folders: stage runs have no index by job id, their key starts with the folder.
        if (Job is { } job) And(where, command, "s.job_dir IN (SELECT job_dir FROM jobs WHERE job_id = @job)", "@job", job);
        if (Pipeline is { } pipeline) And(where, command, "j.pipeline = @pipeline", "@pipeline", pipeline);
        return where.ToString();
    }

    /// <summary>The condition on jobs <c>j</c>; a stage filter keeps the jobs that ran that stage.</summary>
    internal string JobCondition(DbCommand command)
    {
        var where = new StringBuilder();
        if (Status is { } status) And(where, command, "j.status = @status", "@status", status.ToText());
        if (Since is { } since) And(where, command, "j.started >= @since", "@since", SqlParameters.Time(since));
        if (Job is { } job) And(where, command, "j.job_id = @job", "@job", job);
        if (Pipeline is { } pipeline) And(where, command, "j.pipeline = @pipeline", "@pipeline", pipeline);
        if (Stage is { } stage)
        {
            And(where, command, "EXISTS (SELECT 1 FROM stage_runs s WHERE s.job_dir = j.job_dir AND (s.stage = @stage OR s.stage_id = @stage))",
                "@stage", stage);
        }
        return where.ToString();
    }

    private static void And(StringBuilder where, DbCommand command, string condition, string name, object value)
    {
        where.Append(where.Length == 0 ? " WHERE " : " AND ").Append(condition);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
