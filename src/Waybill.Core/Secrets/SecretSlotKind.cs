namespace Waybill.Core.Secrets;

/// <summary>What a masked value in a pipeline snapshot was, which decides how a later run can be given it again.</summary>
public enum SecretSlotKind
{
    /// <summary>A config value under a secret name: given again with <c>--set name=…</c> or <c>WAYBILL_SECRET_NAME</c>.</summary>
    Config,
    /// <summary>An <c>env:</c> entry under a secret name or listed under <c>secrets:</c>: given again as that environment variable.</summary>
    Env,
    /// <summary>Any other text a secret value appeared in (a command, a path): only the unchanged pipeline file holds it.</summary>
    Text,
}
