using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Secrets;

/// <summary>
/// Walks a pipeline file's YAML and offers every scalar, keys included, to a decision: config values carry their dotted
/// key (with the stage id in front for a stage's config), <c>env:</c> values their variable name. Each node is visited
/// once, so aliases cost nothing and cannot loop.
/// </summary>
public sealed class YamlSecretSlots
{
    private readonly IReadOnlyList<string> _secretConfig;
    private readonly IReadOnlyList<string> _secretEnv;
    private readonly Func<SlotCandidate, SecretSlotKind?> _decide;
    private readonly HashSet<YamlNode> _visited = new(ReferenceEqualityComparer.Instance);
    private readonly List<SecretSlot> _slots = [];

    private YamlSecretSlots(IReadOnlyList<string> secretConfig, IReadOnlyList<string> secretEnv, Func<SlotCandidate, SecretSlotKind?> decide)
    {
        _secretConfig = secretConfig;
        _secretEnv = secretEnv;
        _decide = decide;
    }

    /// <param name="secretConfig">Dotted config keys that are secret whatever their names.</param>
    /// <param name="secretEnv">Variable names listed under <c>secrets:</c>.</param>
    public static List<SecretSlot> Find(YamlMappingNode root, IReadOnlyList<string> secretConfig, IReadOnlyList<string> secretEnv,
        Func<SlotCandidate, SecretSlotKind?> decide)
    {
        var walker = new YamlSecretSlots(secretConfig, secretEnv, decide);
        walker.Root(root);
        return walker._slots;
    }

    private void Root(YamlMappingNode root)
    {
        _visited.Add(root);
        var index = 0;
        foreach (var (key, value) in root.Children)
        {
            var path = "$/" + index++;
            Offer(key, path + "k", SecretSlotKind.Text, "key", false);
            switch (Text(key))
            {
                case "config": Config(value, path, "", null); break;
                case "env": Env(value, path, "env"); break;
                case "stages" when value is YamlSequenceNode stages: Stages(stages, path); break;
                default: Any(value, path, Text(key) ?? "?"); break;
            }
        }
    }

    private void Stages(YamlSequenceNode stages, string path)
    {
        if (!_visited.Add(stages)) return;
        for (var i = 0; i < stages.Children.Count; i++)
        {
            var stagePath = path + "/" + i;
            if (stages.Children[i] is not YamlMappingNode stage || !_visited.Add(stage))
            {
                Any(stages.Children[i], stagePath, $"stages[{i}]");
                continue;
            }
            var id = stage.Children.FirstOrDefault(kv => Text(kv.Key) == "id").Value is YamlScalarNode idNode ? idNode.Value : null;
            var shown = $"stages[{id ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}]";
            var index = 0;
            foreach (var (key, value) in stage.Children)
            {
                var entry = stagePath + "/" + index++;
                Offer(key, entry + "k", SecretSlotKind.Text, shown + " key", false);
                switch (Text(key))
                {
                    case "config" when id is not null: Config(value, entry, "", id); break;
                    case "env": Env(value, entry, shown + ".env"); break;
                    default: Any(value, entry, shown + "." + Text(key)); break;
                }
            }
        }
    }

    private void Config(YamlNode node, string path, string prefix, string? stageId)
    {
        if (node is not YamlMappingNode map || !_visited.Add(map))
        {
            Any(node, path, "config");
            return;
        }
        var index = 0;
        foreach (var (key, value) in map.Children)
        {
            var entry = path + "/" + index++;
            var name = prefix + (Text(key) ?? "?");
            Offer(key, entry + "k", SecretSlotKind.Text, "config key", false);
            var secret = Text(key) is { } k && (Redactor.IsSecretName(k) || _secretConfig.Contains(name));
            var full = stageId is null ? name : stageId + "." + name;
            switch (value)
            {
                case YamlMappingNode: Config(value, entry, name + ".", stageId); break;
                case YamlScalarNode scalar: Offer(scalar, entry, SecretSlotKind.Config, full, secret); break;
                // Items of a list under a secret name cannot be given back one by one: they count as text.
                default: Any(value, entry, full, secret); break;
            }
        }
    }

    private void Env(YamlNode node, string path, string shown)
    {
        if (node is not YamlMappingNode map || !_visited.Add(map))
        {
            Any(node, path, shown);
            return;
        }
        var index = 0;
        foreach (var (key, value) in map.Children)
        {
            var entry = path + "/" + index++;
            Offer(key, entry + "k", SecretSlotKind.Text, shown + " key", false);
            var name = Text(key) ?? "?";
            if (value is YamlScalarNode scalar)
                Offer(scalar, entry, SecretSlotKind.Env, name, Redactor.IsSecretName(name) || _secretEnv.Contains(name));
            else Any(value, entry, shown + "." + name);
        }
    }

    private void Any(YamlNode node, string path, string shown, bool secretName = false)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                Offer(scalar, path, SecretSlotKind.Text, shown, secretName);
                break;
            case YamlSequenceNode sequence when _visited.Add(sequence):
                for (var i = 0; i < sequence.Children.Count; i++) Any(sequence.Children[i], path + "/" + i, $"{shown}[{i}]", secretName);
                break;
            case YamlMappingNode mapping when _visited.Add(mapping):
                var index = 0;
                foreach (var (key, value) in mapping.Children)
                {
                    var entry = path + "/" + index++;
                    Offer(key, entry + "k", SecretSlotKind.Text, shown + " key", false);
                    Any(value, entry, shown + "." + Text(key), secretName);
                }
                break;
        }
    }

    private void Offer(YamlNode node, string path, SecretSlotKind context, string name, bool secretName)
    {
        if (node is not YamlScalarNode scalar || !_visited.Add(scalar))
        {
            if (node is not YamlScalarNode) Any(node, path, name);
            return;
        }
        if (_decide(new SlotCandidate(scalar, path, context, name, secretName)) is { } kind) _slots.Add(new SecretSlot(kind, name, path, scalar));
    }

    private static string? Text(YamlNode node) => (node as YamlScalarNode)?.Value;
}
