using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;

namespace Waybill.Core.Execution;

/// <summary>
/// Asks the supply of <c>resume</c> or <c>exec-stage</c> for the secrets a snapshot needs, and collects a clear error
/// for each that is not there, saying where the first run got it and how to give it now.
/// </summary>
internal sealed class SecretRequest(SecretSupply supply, string fileName, string snapshotPath)
{
    private readonly List<PipelineError> _missing = [];

    public bool Failed => _missing.Count > 0;

    /// <summary>The command's <c>--set</c> items; each must name a secret config value the job needs.</summary>
    public Dictionary<string, string> ReadSet(IReadOnlyCollection<string> needed)
    {
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in supply.Set)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            var key = JobRecords.OverrideKey(item);
            if (eq > 0 && needed.Contains(key))
            {
                given[key] = item[(eq + 1)..];
                continue;
            }
            var known = needed.Count == 0 ? "this job needs none"
                : "this job needs " + string.Join(", ", needed.Distinct().Order(StringComparer.Ordinal));
            _missing.Add(new PipelineError($"--set '{key}': {supply.Command} takes only the secret config values the job was given ({known})",
                Field: "--set",
                Hint: "to change config, run the pipeline again: waybill run <pipeline file> --job-id <id> --set key=value"));
        }
        return given;
    }

    /// <summary>A value masked in the snapshot, from <c>--set</c> or the environment; null (and an error) when not given.</summary>
    public string? FileValue(SecretSlot slot, Dictionary<string, string> given)
    {
        var at = new SourceLocation(snapshotPath, slot.Node.Start.Line, slot.Node.Start.Column);
        switch (slot.Kind)
        {
            case SecretSlotKind.Config:
                return Config(slot.Name, given, $"from {fileName}, which is gone or has changed since", at);
            case SecretSlotKind.Env:
                if (supply.Environment(slot.Name) is { } value) return value;
                _missing.Add(new PipelineError($"{supply.Command} needs the secret env value '{slot.Name}' " +
                    $"(given to the first run under env: in {fileName}, which is gone or has changed since); " +
                    $"set the environment variable {slot.Name}", at));
                return null;
            default:
                _missing.Add(new PipelineError(
                    $"{supply.Command} needs {fileName} as it was when the job ran: the snapshot masks a secret inside {slot.Name}",
                    at, Hint: "restore that file, or run the pipeline again with 'waybill run <pipeline file> --job-id <id>'"));
                return null;
        }
    }

    /// <summary>A secret given by <c>--set</c> or the environment to the first run.</summary>
    public string? RecordedValue(RecordedSecret secret, Dictionary<string, string> given)
    {
        if (secret.Kind == SecretSlotKind.Config) return Config(secret.Name, given, "by --set", null);
        if (supply.Environment(secret.Name) is { } value) return value;
        _missing.Add(new PipelineError(
            $"{supply.Command} needs the environment variable '{secret.Name}' (listed under secrets: and set for the first run); set it again"));
        return null;
    }

    public void ThrowIfMissing()
    {
        if (_missing.Count > 0) throw new PipelineInvalidException(_missing);
    }

    private string? Config(string name, Dictionary<string, string> given, string origin, SourceLocation? at)
    {
        if (given.TryGetValue(name, out var value)) return value;
        if (supply.Environment(SecretVariables.For(name)) is { } fromEnvironment) return fromEnvironment;
        _missing.Add(new PipelineError($"{supply.Command} needs the secret config value '{name}' (given to the first run {origin}); " +
            $"pass --set {name}=… or set {SecretVariables.For(name)}", at));
        return null;
    }
}
