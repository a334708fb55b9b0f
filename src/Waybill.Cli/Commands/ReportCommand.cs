using System.CommandLine;
using Waybill.Core.IO;
using Waybill.Core.Reports;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill report</c>: one self-contained HTML file of a job's latest run (timeline, resources, cost, lineage, problems).</summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var job = CommonOptions.Job();
        var outRoot = CommonOptions.Out();
        var file = new Option<string>("--output")
        {
            Description = "Write the report to this file ('-' for standard output)",
            HelpName = "file",
            DefaultValueFactory = _ => "report.html",
        };
        var command = new Command("report", "Write one self-contained HTML page of a job's latest run: timeline, resources, cost, lineage, "
            + "warnings and errors with their log lines, config, and what changed since the previous run")
        {
            job, outRoot, file,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var layout = JobLocator.Find(parse.GetValue(job), parse.GetValue(outRoot)!);
            if (!File.Exists(layout.JobManifestPath))
            {
                throw new CliException($"{layout.Root} has no manifest.json: it is not a job folder or its run never started",
                    "give a job that 'waybill status' lists");
            }
            var html = RunReports.RenderHtml(layout, TimeProvider.System);
            var destination = parse.GetValue(file)!;
            if (destination == "-")
            {
                output.Write(html);
                return ExitCodes.Success;
            }
            var full = Path.GetFullPath(destination);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                AtomicFile.WriteAllText(full, html);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write the report to {destination}: {e.Message}", "give --output a file in a folder you can write to",
                    ExitCodes.IoError);
            }
            output.WriteLine($"wrote {destination} ({System.Text.Encoding.UTF8.GetByteCount(html) / 1024.0:0.#} KiB): job {layout.JobId}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
