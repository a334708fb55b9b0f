using System.CommandLine;
using Waybill.Media;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill init subtitles</c>: copies the shipped pipeline out, to change and run with 'waybill run'.</summary>
internal static class InitCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var template = new Argument<string>("template") { Description = "What to start from: subtitles" };
        template.AcceptOnlyFromAmong("subtitles");
        var folder = new Argument<string>("folder") { Description = "Where to write waybill.yaml", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing waybill.yaml" };
        var command = new Command("init", "Write a pipeline file to start from (e.g. the subtitle pipeline, to swap the ASR or add a stage)") { template, folder, force };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var target = Path.GetFullPath(Path.Combine(parse.GetValue(folder)!, SubtitlePipeline.FileName));
            if (File.Exists(target) && !parse.GetValue(force))
                throw new CliException($"{target} exists; use --force to overwrite it");
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, SubtitlePipeline.Yaml);
            output.WriteLine($"Wrote {PipelineExecution.Relative(target)}");
            output.WriteLine($"Run it:  waybill run {PipelineExecution.Relative(Path.GetDirectoryName(target)!)} --set video=<file>   or   waybill subtitle <file> --pipeline {PipelineExecution.Relative(target)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
