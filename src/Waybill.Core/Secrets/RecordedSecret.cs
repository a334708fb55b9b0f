using System.Text.Json.Nodes;

namespace Waybill.Core.Secrets;

/// <summary>A secret a job was given, by name only: what <c>resume</c> and <c>exec-stage</c> ask for again.</summary>
public sealed record RecordedSecret(string Name, SecretSlotKind Kind, SecretOrigin Origin)
{
    public string OriginText => Origin switch
    {
        SecretOrigin.PipelineFile => "pipeline file",
        SecretOrigin.SetOption => "--set",
        _ => "environment",
    };

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["kind"] = Kind.ToString().ToLowerInvariant(),
        ["given_by"] = OriginText,
    };

    public static RecordedSecret? FromJson(JsonNode? node)
    {
        if (node?["name"]?.GetValue<string>() is not { } name) return null;
        var kind = Enum.TryParse<SecretSlotKind>(node["kind"]?.GetValue<string>(), ignoreCase: true, out var k) ? k : SecretSlotKind.Config;
        var origin = node["given_by"]?.GetValue<string>() switch
        {
            "pipeline file" => SecretOrigin.PipelineFile,
            "--set" => SecretOrigin.SetOption,
            _ => SecretOrigin.Environment,
        };
        return new RecordedSecret(name, kind, origin);
    }
}
