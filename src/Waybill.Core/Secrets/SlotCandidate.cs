using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Secrets;

/// <summary>
/// A scalar of a pipeline file as <see cref="YamlSecretSlots"/> meets it: where it is (<paramref name="Context"/>:
/// config, env or anything else), its name there, and whether that name marks it secret.
/// </summary>
public readonly record struct SlotCandidate(YamlScalarNode Node, string Path, SecretSlotKind Context, string Name, bool SecretName);
