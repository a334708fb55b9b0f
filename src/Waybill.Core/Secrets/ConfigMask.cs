using System.Text.Json.Nodes;

namespace Waybill.Core.Secrets;

/// <summary>Config as it may be written down: values of secret keys become ***, and known secret values are masked inside other strings.</summary>
public static class ConfigMask
{
    public static JsonNode? Mask(string key, JsonNode? value, IReadOnlyList<string> secretConfig, Redactor redactor, string prefix = "") =>
        Mask(key, value, secretConfig, redactor, prefix, underSecret: false);

    private static JsonNode? Mask(string key, JsonNode? value, IReadOnlyList<string> secretConfig, Redactor redactor, string prefix, bool underSecret)
    {
        // A mapping under a secret name (password: { db: … }, or --set password.db=…) is secret all through.
        var secret = underSecret || Redactor.IsSecretName(key) || secretConfig.Contains(prefix + key);
        if (value is JsonValue v && v.TryGetValue<string>(out var text))
        {
            if (!secret) return JsonValue.Create(redactor.Redact(text));
            redactor.Add(text);
            return JsonValue.Create(Redactor.Mask);
        }
        // A number under a secret name (a PIN, a numeric key) is as secret as a string; true and false are not worth hiding.
        if (secret && value is JsonValue number && number.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            redactor.Add(number.ToJsonString());
            return JsonValue.Create(Redactor.Mask);
        }
        if (value is JsonObject obj)
            foreach (var (k, child) in obj.ToList()) obj[k] = Mask(k, child?.DeepClone(), secretConfig, redactor, prefix + key + ".", secret);
        if (value is JsonArray array)
            for (var i = 0; i < array.Count; i++) array[i] = Mask(key, array[i]?.DeepClone(), secretConfig, redactor, prefix, secret);
        return value;
    }

    /// <summary>A masked deep copy of a whole config object.</summary>
    public static JsonObject MaskAll(JsonObject config, IReadOnlyList<string> secretConfig, Redactor redactor)
    {
        var result = new JsonObject();
        foreach (var (key, value) in config) result[key] = Mask(key, value?.DeepClone(), secretConfig, redactor);
        return result;
    }
}
