using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Secrets;

/// <summary>
/// One value of a pipeline file that is masked in the job's snapshot. <paramref name="Path"/> locates it by position
/// (entry and item numbers), so the same value can be found in the original file; <paramref name="Name"/> is what a
/// person gives again: a dotted config key (<c>password</c>, <c>02_fetch.api_key</c>), a variable name, or a field.
/// </summary>
public sealed record SecretSlot(SecretSlotKind Kind, string Name, string Path, YamlNode Node);
