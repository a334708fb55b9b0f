using System.CommandLine;
using System.Globalization;
using Waybill.Media.Sample;

namespace Waybill.Cli.Commands;

/// <summary><c>waybill sample</c>: generates the reference video (espeak-ng speech, a melody, a test pattern) and its ground truth.</summary>
internal static class SampleCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var folder = new Option<string>("--out", "-o") { Description = "Folder for sample.mp4, sample.wav and truth.json", DefaultValueFactory = _ => "samples/generated" };
        var seconds = new Option<double>("--seconds") { Description = "Make it at least this long (the script repeats)", DefaultValueFactory = _ => 0 };
        var size = new Option<string>("--size") { Description = "Video size, WIDTHxHEIGHT", DefaultValueFactory = _ => "320x240" };
        var rate = new Option<int>("--fps") { Description = "Video frame rate", DefaultValueFactory = _ => 25 };
        var command = new Command("sample", "Generate the sample video for the subtitle pipeline, with its ground truth") { folder, seconds, size, rate };
        command.SetAction((parse, cancellationToken) => Guard.RunAsync(error, async () =>
        {
            var dimensions = parse.GetValue(size)!.Split('x');
            if (dimensions.Length != 2 || !int.TryParse(dimensions[0], CultureInfo.InvariantCulture, out var width) || !int.TryParse(dimensions[1], CultureInfo.InvariantCulture, out var height) || width < 16 || height < 16)
                throw new CliException($"--size must be WIDTHxHEIGHT (e.g. 320x240), not '{parse.GetValue(size)}'");
            var options = new SampleOptions(parse.GetValue(seconds), width, height, parse.GetValue(rate));
            var sample = await SampleGenerator.GenerateAsync(Path.GetFullPath(parse.GetValue(folder)!), options, cancellationToken);
            await output.WriteLineAsync($"Video: {PipelineExecution.Relative(sample.Video)} ({sample.Facts.Duration:0.0} s, {sample.Facts.Speech.Count} sentences, {sample.Facts.Music.Count} melody)");
            await output.WriteLineAsync($"Truth: {PipelineExecution.Relative(sample.Truth)}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
