namespace Waybill.Core.Secrets;

/// <summary>A pipeline file's text as it may be written into a job folder, and the values masked in it.</summary>
public sealed record MaskedSnapshot(string Text, IReadOnlyList<SecretSlot> Slots);
