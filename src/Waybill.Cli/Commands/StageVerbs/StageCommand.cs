using System.CommandLine;
using Waybill.Core.Text;

namespace Waybill.Cli.Commands.StageVerbs;

/// <summary>
/// <c>waybill stage ...</c>: what a shell stage records, each verb one message on the stage channel
/// (docs/stage-protocol.md), so a bash script records what a C# stage's StageContext calls record.
/// </summary>
internal static class StageCommand
{
    public const string ChannelVariable = "WAYBILL_STAGE_CHANNEL";

    private static readonly string[] Levels = ["trace", "debug", "info", "warning", "warn", "error", "critical", "fatal"];
    private static readonly string[] Statuses = ["success", "failed", "skipped"];

    public static Command Create(TextWriter error)
    {
        var command = new Command("stage", "Record into the running stage from its command or script (log, warnings, files, config, "
            + "resources, finalize); each verb sends one message on the stage channel, see docs/stage-protocol.md");
        command.Subcommands.Add(Log(error));
        command.Subcommands.Add(Problem(error, "warn", "warning", "Record a warning: logged at WARNING and listed in the manifest's warnings"));
        command.Subcommands.Add(Problem(error, "error", "error", "Record an error: logged at ERROR and listed in the manifest's errors "
            + "(the exit code or finalize decides whether the stage fails)"));
        command.Subcommands.Add(Track(error, "track-input", "track_input", "Record a file the stage read (checksummed when the stage ends)"));
        command.Subcommands.Add(Track(error, "track-output", "track_output",
            "Record a file the stage wrote, inside the job folder (checksummed when the stage ends)"));
        command.Subcommands.Add(TrackIntermediate(error));
        command.Subcommands.Add(Config(error));
        command.Subcommands.Add(Resource(error));
        command.Subcommands.Add(Gpu(error));
        command.Subcommands.Add(Usage(error));
        command.Subcommands.Add(Progress(error));
        command.Subcommands.Add(Finalize(error));
        return command;
    }

    private static Argument<string[]> Words(string description) =>
        new("message") { Description = description, Arity = ArgumentArity.OneOrMore };

    private static Command Log(TextWriter error)
    {
        var level = new Option<string>("--level", "-l")
        {
            Description = "trace, debug, info, warning, error or critical",
            DefaultValueFactory = _ => "info",
        };
        var message = Words("The line to log (several words are joined with spaces)");
        var command = new Command("log", "Log a line to stage.log (INFO and above also to the pipeline log and the console)") { level, message };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var given = parse.GetValue(level)!;
            if (!Levels.Contains(given.ToLowerInvariant()))
            {
                throw new CliException($"waybill stage log: --level '{PrintableText.Of(given, 40)}' is not a level",
                    "levels: trace, debug, info, warning, error, critical");
            }
            return Send(StageMessage.Line("log", Now, w =>
            {
                w.WriteString("level", given.ToLowerInvariant());
                w.WriteString("message", Joined(parse.GetValue(message)));
            }));
        }));
        return command;
    }

    private static Command Problem(TextWriter error, string name, string type, string description)
    {
        var message = Words("What happened (several words are joined with spaces)");
        var command = new Command(name, description) { message };
        command.SetAction(parse => Guard.Wrap(error, () =>
            Send(StageMessage.Line(type, Now, w => w.WriteString("message", Joined(parse.GetValue(message)))))));
        return command;
    }

    private static Command Track(TextWriter error, string name, string type, string description)
    {
        var path = new Argument<string>("path") { Description = "The file; a relative path is taken from the current directory" };
        var fileType = new Option<string?>("--type") { Description = "What the file is (e.g. video, audio, transcript); default file" };
        var format = new Option<string?>("--format") { Description = "Its format (e.g. wav); default its extension" };
        var fileName = new Option<string?>("--name") { Description = "A name for it (as declared inputs and outputs have)" };
        var meta = Meta();
        var command = new Command(name, description) { path, fileType, format, fileName, meta };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var full = FullPath(name, parse.GetValue(path)!);
            var metadata = KeyValueArguments.Parse(parse.GetValue(meta) ?? [], name, "--meta", "--meta lines=120");
            return Send(StageMessage.Line(type, Now, w =>
            {
                w.WriteString("path", full);
                w.Optional("file_type", parse.GetValue(fileType));
                w.Optional("format", parse.GetValue(format));
                w.Optional("name", parse.GetValue(fileName));
                w.Object("metadata", metadata);
            }));
        }));
        return command;
    }

    private static Command TrackIntermediate(TextWriter error)
    {
        var path = new Argument<string>("path") { Description = "The file; a relative path is taken from the current directory" };
        var fileType = new Option<string?>("--type") { Description = "What the file is; default intermediate" };
        var reason = new Option<string?>("--reason") { Description = "Why it exists or is kept" };
        var notRetained = new Option<bool>("--not-retained") { Description = "The file is deleted after the stage (recorded as retained: false)" };
        var meta = Meta();
        var command = new Command("track-intermediate", "Record a cache or temporary file, whether it is kept, and why")
        {
            path, fileType, reason, notRetained, meta,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var full = FullPath("track-intermediate", parse.GetValue(path)!);
            var metadata = KeyValueArguments.Parse(parse.GetValue(meta) ?? [], "track-intermediate", "--meta", "--meta frames=12");
            return Send(StageMessage.Line("track_intermediate", Now, w =>
            {
                w.WriteString("path", full);
                w.Optional("file_type", parse.GetValue(fileType));
                w.WriteBoolean("retained", !parse.GetValue(notRetained));
                w.Optional("reason", parse.GetValue(reason));
                w.Object("metadata", metadata);
            }));
        }));
        return command;
    }

    private static Option<string[]> Meta() =>
        new("--meta")
        {
            Description = "Metadata recorded with the file: KEY=VALUE (numbers and true/false as such); repeatable",
            AllowMultipleArgumentsPerToken = false,
        };

    private static Command Config(TextWriter error)
    {
        var pairs = new Argument<string[]>("pairs") { Description = "KEY=VALUE, read as --set reads values", Arity = ArgumentArity.OneOrMore };
        var command = new Command("config", "Record config values the stage used (added to the manifest's config)") { pairs };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var values = KeyValueArguments.Parse(parse.GetValue(pairs)!, "config", "config value", "beam_size=5");
            // One line per key, all in one write: the engine applies each as StageContext.AddConfig.
            return Send([.. values.SelectMany(pair => StageMessage.Line("add_config", Now, w =>
            {
                w.WriteString("key", pair.Key);
                w.WritePropertyName("value");
                StageMessage.Value(w, pair.Value);
            }))]);
        }));
        return command;
    }

    private static Command Resource(TextWriter error)
    {
        var pairs = new Argument<string[]>("pairs") { Description = "KEY=VALUE: a number, true or false, or text", Arity = ArgumentArity.OneOrMore };
        var command = new Command("resource", "Record resource figures (e.g. model_load_seconds=2.5) under the manifest's resources") { pairs };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var values = KeyValueArguments.Parse(parse.GetValue(pairs)!, "resource", "resource", "model_load_seconds=2.5", scalarsOnly: true);
            return Send(StageMessage.Line("resources", Now, w => w.Object("values", values, always: true)));
        }));
        return command;
    }

    private static Command Gpu(TextWriter error)
    {
        var unused = new Option<bool>("--unused") { Description = "Record that the stage did not use a GPU" };
        var command = new Command("gpu", "Record that the stage ran on a GPU (resources.gpu_used)") { unused };
        command.SetAction(parse => Guard.Wrap(error, () =>
            Send(StageMessage.Line("gpu", Now, w => w.WriteBoolean("used", !parse.GetValue(unused))))));
        return command;
    }

    private static Command Usage(TextWriter error)
    {
        var unit = new Argument<string>("unit") { Description = "What was used: tokens, api_calls (declared on the stage: reports: [tokens])" };
        var quantity = new Argument<string>("quantity") { Description = "How much, a number zero or more; reports of one unit add up" };
        var command = new Command("usage", "Record a quantity the stage used (resources.usage), priced by the run's rate card") { unit, quantity };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var given = parse.GetValue(quantity)!;
            if (!double.TryParse(given, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var amount)
                || !double.IsFinite(amount) || amount < 0)
                throw new CliException($"waybill stage usage: quantity '{PrintableText.Of(given, 40)}' is not a number zero or more",
                    "e.g. waybill stage usage tokens 1234");
            return Send(StageMessage.Line("usage", Now, w =>
            {
                w.WriteString("unit", parse.GetValue(unit));
                w.WriteNumber("quantity", amount);
            }));
        }));
        return command;
    }

    private static Command Progress(TextWriter error)
    {
        var done = new Argument<string>("done") { Description = "How many are done, a whole number zero or more (more than total counts as total)" };
        var total = new Argument<string>("total") { Description = "How many there are, a whole number 1 or more" };
        var unit = new Argument<string?>("unit")
        {
            Description = "What is counted (segments, frames); items when left out",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("progress", "Show how far the stage is as a bar with the time left in the live display (nothing is recorded)")
        {
            done, total, unit,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var count = Whole("done", parse.GetValue(done)!, 0);
            var of = Whole("total", parse.GetValue(total)!, 1);
            return Send(StageMessage.Line("progress", Now, w =>
            {
                w.WriteNumber("done", count);
                w.WriteNumber("total", of);
                if (parse.GetValue(unit) is { } named) w.WriteString("unit", named);
            }));
        }));
        return command;
    }

    private static long Whole(string name, string given, long least)
    {
        if (long.TryParse(given, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= least)
            return value;
        throw new CliException($"waybill stage progress: {name} '{PrintableText.Of(given, 40)}' is not a whole number {least} or more",
            "e.g. waybill stage progress 3 8 segments");
    }

    private static Command Finalize(TextWriter error)
    {
        var status = new Argument<string>("status") { Description = "success, failed or skipped" };
        var reason = new Option<string?>("--reason") { Description = "Why (the manifest's status_reason)" };
        var summary = new Argument<string[]>("summary")
        {
            Description = "KEY=VALUE figures for the manifest's summary",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("finalize", "End the stage with a status of its choice; a non-zero exit still fails it")
        {
            status, reason, summary,
        };
        command.SetAction(parse => Guard.Wrap(error, () =>
        {
            var given = parse.GetValue(status)!;
            if (!Statuses.Contains(given))
                throw new CliException($"waybill stage finalize: status '{PrintableText.Of(given, 40)}' is not success, failed or skipped");
            var values = KeyValueArguments.Parse(parse.GetValue(summary) ?? [], "finalize", "summary value", "success files=3");
            return Send(StageMessage.Line("finalize", Now, w =>
            {
                w.WriteString("status", given);
                w.Optional("reason", parse.GetValue(reason));
                w.Object("summary", values);
            }));
        }));
        return command;
    }

    private static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    private static string Joined(string[]? words) => string.Join(' ', words ?? []);

    private static string FullPath(string verb, string path)
    {
        if (path.Length == 0) throw new CliException($"waybill stage {verb}: the path is empty");
        try
        {
            return Path.GetFullPath(path);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"waybill stage {verb}: '{PrintableText.Of(path, 80)}' is not a path ({e.Message})");
        }
    }

    private static int Send(byte[] lines)
    {
        if (Environment.GetEnvironmentVariable(ChannelVariable) is not { Length: > 0 } channel)
        {
            throw new CliException($"waybill stage: not inside a Waybill stage ({ChannelVariable} is not set)",
                "the verbs record into the stage whose command runs them: call them from a stage's run: command or a script it starts");
        }
        ChannelAppend.Write(channel, lines);
        return ExitCodes.Success;
    }
}
