namespace Waybill.Core.Execution;

/// <summary>
/// What <c>resume</c> or <c>exec-stage</c> (<paramref name="Command"/>, for messages) was given to fill the secrets a
/// job's snapshot masks: its own <c>--set</c> items and the environment (<c>WAYBILL_SECRET_*</c>, <c>env:</c> names).
/// </summary>
public sealed record SecretSupply(string Command, IReadOnlyList<string> Set, Func<string, string?> Environment)
{
    public static SecretSupply FromProcess(string command, IReadOnlyList<string> set) =>
        new(command, set, name => System.Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null);
}
