using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.Costs;
using Waybill.Core.Processes;

namespace Waybill.Core.Execution.Protocol;

/// <summary>
/// Applies the messages of a stage channel to the stage's <see cref="StageContext"/>, exactly as the C# calls of the same
/// names would (docs/stage-protocol.md). A bad line never stops the merge: it adds one warning naming the stage, the
/// line and what is wrong (the first <see cref="ListedProblems"/>, then a count), and the other lines are kept.
/// Past the budget (as much as WAYBILL_OUTPUT_LIMIT lets stage.log keep of a stream) messages are counted and dropped,
/// except a finalize, which decides the stage's status.
/// </summary>
internal sealed class ProtocolMerge(StageContext context, long budgetBytes, long budgetMessages) : IChannelSink
{
    /// <summary>How many bad lines get a warning each; the rest are counted in one.</summary>
    public const int ListedProblems = 20;

    private static readonly HashSet<string> ResourceFields = FieldsOf(ManifestJsonContext.Default.ResourceUsage);

    private long _bad;
    private long _finalizedAt;
    private long _messages;
    private long _bytes;
    private long _droppedMessages;
    private long _droppedBytes;
    private long _newerVersionAt;
    private StageProgress? _progress;

    public void Line(long number, ReadOnlyMemory<byte> line)
    {
        var span = line.Span;
        if (span.Trim(" \t\r"u8).IsEmpty) return;
        // Progress is display-only and may come thousands a second: it takes no share of the budget and only the last
        // of each read is shown (Flush).
        if (span.IndexOf("\"progress\""u8) >= 0 && TryProgress(number, line)) return;
        _messages++;
        _bytes += line.Length + 1;
        var overBudget = _messages > budgetMessages || _bytes > budgetBytes;
        // Past the budget only a finalize is worth parsing: it decides the stage's status.
        if (overBudget && span.IndexOf("\"finalize\""u8) < 0)
        {
            Drop(line.Length);
            return;
        }
        if (!overBudget && _finalizedAt == 0 && LogMessageReader.TryRead(span, out var level, out var text))
        {
            context.Logger.Log(level, default, text!, null, Verbatim);
            return;
        }
        var message = ProtocolMessage.Parse(line, out var document, out var problem);
        using (document)
        {
            if (overBudget && message?.Type != "finalize")
            {
                Drop(line.Length);
                return;
            }
            if (message is null)
            {
                Bad(number, problem!);
                return;
            }
            try
            {
                Apply(message, number);
            }
#pragma warning disable CA1031 // What a stage sends never fails the engine: a message that cannot be applied becomes a warning.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Bad(number, $"{Text.PrintableText.Of(message.Type, 40)}: not applied ({e.Message})");
            }
        }
    }

    public void Bad(long number, string problem)
    {
        if (number > 0 && ++_bad > ListedProblems) return;
        var where = number > 0 ? string.Create(CultureInfo.InvariantCulture, $", line {number}") : "";
        context.AddWarning($"stage channel of {context.StageId}{where}: {problem}");
    }

    /// <summary>The warnings that sum up the channel: bad lines not listed one by one, messages past the budget.</summary>
    public void Finish()
    {
        if (_bad > ListedProblems)
        {
            context.AddWarning(string.Create(CultureInfo.InvariantCulture,
                $"stage channel of {context.StageId}: {_bad - ListedProblems} more bad lines not listed (the first {ListedProblems} are)"));
        }
        if (_droppedMessages > 0)
        {
            context.AddWarning(string.Create(CultureInfo.InvariantCulture,
                $"stage channel of {context.StageId}: {_droppedMessages} messages ({_droppedBytes} bytes) past the first "
                + $"{Math.Min(budgetMessages, _messages - _droppedMessages)} were dropped, as output past {OutputLimits.Variable} is "
                + $"(a finalize is still applied); set {OutputLimits.Variable} in the stage's env: to keep more, or send fewer messages"));
        }
    }

    /// <summary>Shows the last progress read, if any: called after each read of the channel, so a flood of progress
    /// messages costs one display update per read (every <see cref="StageChannel.PollPeriod"/>), not one per message.</summary>
    public void Flush()
    {
        if (_progress is not { } progress) return;
        _progress = null;
        context.ReportProgress(progress.Done, progress.Total, progress.Unit);
    }

    /// <summary>A progress message, checked and kept for <see cref="Flush"/>; false when the line is another type.</summary>
    private bool TryProgress(long number, ReadOnlyMemory<byte> line)
    {
        var message = ProtocolMessage.Parse(line, out var document, out _);
        using (document)
        {
            if (message?.Type != "progress") return false;
            message.Version();
            var total = message.WholeNumber("total", required: true);
            var done = message.WholeNumber("done", required: true);
            var unit = message.Text("unit") ?? "items";
            if (total == 0) message.Fail("\"total\" is 0: a total is 1 or more");
            if (ProgressUnits.Problem(unit) is { } problem) message.Fail($"\"unit\": {problem}");
            if (message.Problem is { } bad) Bad(number, $"progress: {bad}; not applied");
            else _progress = new StageProgress(context.StageId, Math.Min(done!.Value, total!.Value), total!.Value, unit);
            return true;
        }
    }

    private void Drop(int length)
    {
        _droppedMessages++;
        _droppedBytes += length + 1;
    }

    private void Apply(ProtocolMessage message, long number)
    {
        var version = message.Version();
        var type = message.Type;
        Action? apply = type switch
        {
            "log" => Log(message),
            "warning" => Problem(message, LogLevel.Warning),
            "error" => Problem(message, LogLevel.Error),
            "track_input" => Track(message, FileRole.Input),
            "track_output" => Track(message, FileRole.Output),
            "track_intermediate" => Track(message, FileRole.Intermediate),
            "set_config" => SetConfig(message),
            "add_config" => AddConfig(message),
            "resources" => Resources(message),
            "gpu" => Gpu(message),
            "usage" => Usage(message),
            "tool_version" => ToolVersion(message),
            "finalize" => Finalize(message, number),
            _ => null,
        };
        if (apply is null && message.Problem is null)
        {
            var newer = version > ProtocolMessage.CurrentVersion
                ? string.Create(CultureInfo.InvariantCulture, $" (written for protocol version {version})")
                : "";
            Bad(number, $"unknown message type '{Text.PrintableText.Of(type, 40)}' (known: {Known}); not applied{newer}");
            return;
        }
        if (message.Problem is { } problem)
        {
            Bad(number, $"{Text.PrintableText.Of(type, 40)}: {problem}; not applied");
            return;
        }
        if (version > ProtocolMessage.CurrentVersion && _newerVersionAt == 0)
        {
            _newerVersionAt = number;
            context.AddWarning(string.Create(CultureInfo.InvariantCulture,
                $"stage channel of {context.StageId}, line {number}: written for protocol version {version}, newer than this "
                + $"engine's {ProtocolMessage.CurrentVersion}; its messages are read as version {ProtocolMessage.CurrentVersion} "
                + $"(upgrade Waybill to read them all)"));
        }
        var finalizedAt = _finalizedAt;
        apply!();
        if (finalizedAt > 0)
            Bad(number, string.Create(CultureInfo.InvariantCulture, $"{type} message after finalize at line {finalizedAt} (still applied)"));
    }

    private const string Known = "log, warning, error, track_input, track_output, track_intermediate, set_config, add_config, resources, gpu, "
        + "usage, progress, tool_version, finalize";

    private Action? Log(ProtocolMessage message)
    {
        var levelText = message.Text("level", required: true);
        var text = message.Text("message", required: true);
        var exception = message.Text("exception");
        message.Text("logger");
        var level = levelText is null ? LogLevel.None : LevelOf(levelText);
        if (levelText is not null && level == LogLevel.None)
            message.Fail($"\"level\" is '{Text.PrintableText.Of(levelText, 40)}', not one of trace, debug, info, warning, error, critical");
        if (message.Problem is not null) return null;
        return () => context.Logger.Log(level, default, text!, exception is null ? null : new ReportedException(exception), Verbatim);
    }

    /// <summary>
    /// A message is logged as sent: no template to parse and format (a stage's text may hold braces), and the cost per
    /// line of a message template's formatting saved.
    /// </summary>
    private static readonly Func<string, Exception?, string> Verbatim = static (text, _) => text;

    /// <summary>The level names of Python's logging and of Microsoft.Extensions.Logging, any case.</summary>
    internal static LogLevel LevelOf(string level) => level.ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" => LogLevel.Information,
        "WARNING" or "WARN" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" or "FATAL" => LogLevel.Critical,
        _ => LogLevel.None,
    };

    private Action? Problem(ProtocolMessage message, LogLevel level)
    {
        var text = message.Text("message", required: true);
        var exception = message.Text("exception");
        string? exceptionType = null, exceptionMessage = null;
        if (level == LogLevel.Error)
        {
            exceptionType = message.Text("exception_type");
            exceptionMessage = message.Text("exception_message");
        }
        if (message.Problem is not null) return null;
        if (exceptionType is null && exception is not null && PythonError(exception) is var (type, said))
            (exceptionType, exceptionMessage) = (type, exceptionMessage ?? said);
        var at = message.Time();
        return () => context.AddReported(level, text!, at, exception, exceptionType, exceptionMessage);
    }

    /// <summary>A Python traceback ends with <c>Type: message</c>: the error's type and message, as a C# exception has them.</summary>
    internal static (string Type, string? Message)? PythonError(string traceback)
    {
        if (!traceback.StartsWith("Traceback (most recent call last):", StringComparison.Ordinal)) return null;
        var last = traceback.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim();
        if (string.IsNullOrEmpty(last) || last.StartsWith("File ", StringComparison.Ordinal)) return null;
        var colon = last.IndexOf(": ", StringComparison.Ordinal);
        var type = colon > 0 ? last[..colon] : last;
        if (type.Any(c => !(char.IsLetterOrDigit(c) || c is '_' or '.'))) return null;
        return (type, colon > 0 ? last[(colon + 2)..] : null);
    }

    private enum FileRole
    {
        Input,
        Output,
        Intermediate,
    }

    private Action? Track(ProtocolMessage message, FileRole role)
    {
        var path = message.NonEmptyText("path");
        var fileType = message.Text("file_type") ?? (role == FileRole.Intermediate ? "intermediate" : "file");
        string? format = null, name = null, reason = null;
        var retained = true;
        if (role == FileRole.Intermediate)
        {
            retained = message.Flag("retained", true);
            reason = message.Text("reason");
        }
        else
        {
            format = message.Text("format");
            name = message.Text("name");
        }
        var metadata = message.Object("metadata");
        if (message.Problem is not null) return null;
        string full;
        try
        {
            full = Path.GetFullPath(path!, context.StageDir);
        }
        catch (ArgumentException e)
        {
            message.Fail($"\"path\" is not a path ({e.Message})");
            return null;
        }
        if (role == FileRole.Output && OutsideJob(full, path!) is { } outside)
        {
            message.Fail(outside);
            return null;
        }
        if (metadata is not null && FileRecordFields.TakenBy(metadata.Select(p => p.Key)) is { Count: > 0 } taken)
        {
            message.Fail($"\"metadata\" names {string.Join(", ", taken.Select(k => $"'{k}'"))}, which the engine records itself; "
                + "give the figure another name");
            return null;
        }
        var pairs = Pairs(Redacted(metadata) as JsonObject);
        return role switch
        {
            FileRole.Input => () => context.TrackInput(full, fileType, format, pairs, name),
            FileRole.Output => () => context.TrackOutput(full, fileType, format, pairs, name),
            _ => () => context.TrackIntermediate(full, fileType, retained, reason is null ? null : context.RedactText(reason), pairs),
        };
    }

    /// <summary>Outputs are files inside the job folder, reached through no link that leads out (as declared outputs are).</summary>
    private string? OutsideJob(string full, string given) => OutputLinks.OutsideJob(context.Layout, full, Text.PrintableText.Of(given),
        "write it into the stage folder, or record a file elsewhere with track_input");

    private Action? SetConfig(ProtocolMessage message)
    {
        var values = message.Object("values", required: true);
        if (message.Problem is not null) return null;
        return () => context.SetConfig(Pairs(values) ?? []);
    }

    private Action? AddConfig(ProtocolMessage message)
    {
        var key = message.NonEmptyText("key");
        var value = message.Value("value", out var present);
        if (!present) message.Fail("no \"value\" field");
        if (message.Problem is not null) return null;
        return () => context.AddConfig(key!, value);
    }

    private Action? Resources(ProtocolMessage message)
    {
        var values = message.Object("values", required: true);
        if (values is not null)
        {
            foreach (var (key, value) in values)
            {
                var kind = value?.GetValueKind() ?? JsonValueKind.Null;
                if (kind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.True or JsonValueKind.False))
                {
                    message.Fail($"resource '{Text.PrintableText.Of(key, 60)}' is {ProtocolMessage.Kind(kind)}: "
                        + "a resource is a number, a string or a boolean");
                }
                else if (ResourceFields.Contains(key))
                    message.Fail($"resource '{key}' is a figure the engine measures itself; give yours another name");
            }
        }
        if (message.Problem is not null) return null;
        var redacted = (JsonObject)Redacted(values)!;
        return () =>
        {
            foreach (var (key, value) in redacted) context.SetResource(key, value);
        };
    }

    /// <summary><c>{"type":"usage","unit":"tokens","quantity":1234}</c>: as <see cref="StageContext.ReportUsage"/>.</summary>
    private Action? Usage(ProtocolMessage message)
    {
        var unit = message.NonEmptyText("unit");
        var value = message.Value("quantity", out var present);
        double quantity = 0;
        if (!present) message.Fail("no \"quantity\" field");
        else if (value?.GetValueKind() != JsonValueKind.Number || !double.TryParse(value.ToJsonString(), NumberStyles.Float,
                CultureInfo.InvariantCulture, out quantity) || !double.IsFinite(quantity) || quantity < 0)
            message.Fail($"\"quantity\" is {Text.PrintableText.Of(value?.ToJsonString() ?? "null", 40)}, not a number zero or more");
        if (unit is not null && UsageUnits.Problem(unit) is { } problem) message.Fail($"\"unit\": {problem} ({UsageUnits.Rule})");
        if (message.Problem is not null) return null;
        return () => context.ReportUsage(unit!, quantity);
    }

    private Action? Gpu(ProtocolMessage message)
    {
        var used = message.Flag("used", true);
        if (message.Problem is not null) return null;
        return () => context.SetGpuUsed(used);
    }

    private Action? ToolVersion(ProtocolMessage message)
    {
        var tool = message.NonEmptyText("tool");
        var version = message.Text("version", required: true);
        if (message.Problem is not null) return null;
        return () => context.SetToolVersion(tool!, version!);
    }

    private Action? Finalize(ProtocolMessage message, long number)
    {
        var statusText = message.Text("status", required: true);
        var reason = message.Text("reason");
        var summary = message.Object("summary");
        StageStatus? status = statusText?.ToLowerInvariant() switch
        {
            "success" => StageStatus.Success,
            "failed" => StageStatus.Failed,
            "skipped" => StageStatus.Skipped,
            _ => null,
        };
        if (statusText is not null && status is null)
            message.Fail($"\"status\" is '{Text.PrintableText.Of(statusText, 40)}', not success, failed or skipped");
        if (message.Problem is not null) return null;
        var pairs = Pairs(Redacted(summary) as JsonObject);
        return () =>
        {
            context.Finalize(status!.Value, reason ?? (status == StageStatus.Failed ? "the stage finalized as failed" : null), pairs);
            _finalizedAt = number;
        };
    }

    private static List<KeyValuePair<string, object?>>? Pairs(JsonObject? values) =>
        values?.Select(p => KeyValuePair.Create(p.Key, (object?)p.Value)).ToList();

    /// <summary>A copy with every string (keys too) through the run's redactor: secrets never reach a record.</summary>
    private JsonNode? Redacted(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj) copy[context.RedactText(key)] = Redacted(value);
                return copy;
            case JsonArray array:
                return new JsonArray([.. array.Select(Redacted)]);
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return JsonValue.Create(context.RedactText(value.GetValue<string>()));
            default:
                return node?.DeepClone();
        }
    }

    private static HashSet<string> FieldsOf(System.Text.Json.Serialization.Metadata.JsonTypeInfo info) =>
        [.. info.Properties.Where(p => !p.IsExtensionData).Select(p => p.Name)];
}
