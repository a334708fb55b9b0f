using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Waybill.Core.Secrets;

/// <summary>
/// Masks the secrets of a pipeline file for the job's snapshot (<c>.waybill/pipeline.yaml</c>), keeping it valid YAML
/// and the rest of its text as written. A value under a secret name becomes <c>!secret "***"</c> (given again with
/// <c>--set</c> or the environment); any other scalar a secret value appears in becomes <c>!masked "…***…"</c> (only
/// the unchanged pipeline file can give it back). The pipeline loader refuses both tags, so a mask is never a value.
/// </summary>
public static class SnapshotMasker
{
    public const string SecretTag = "!secret";
    public const string MaskedTag = "!masked";
    private static readonly JsonWriterOptions Quoting = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The snapshot of <paramref name="yaml"/>; null when it is not a YAML mapping (nothing can be written safely).</summary>
    public static MaskedSnapshot? Mask(string yaml, IReadOnlyList<string> secretConfig, IReadOnlyList<string> secretEnv, Redactor redactor)
    {
        (yaml, var loaded) = Parsable(yaml);
        if (loaded is not { } root) return null;
        var slots = YamlSecretSlots.Find(root, secretConfig, secretEnv, c => Decide(c, redactor));
        var text = Replace(yaml, root, slots, s => Placeholder(s, redactor));
        return text is null || redactor.Redact(text) != text ? null : new MaskedSnapshot(text, slots);
    }

    /// <summary>
    /// <paramref name="original"/> masked at the places <paramref name="snapshot"/> is masked, with the same text: equal
    /// to the snapshot's text exactly when the original is the file the snapshot was made from, secrets aside.
    /// </summary>
    public static string? MaskLike(string original, IReadOnlyList<SecretSlot> snapshot)
    {
        (original, var loaded) = Parsable(original);
        if (loaded is not { } root) return null;
        var byPath = snapshot.ToDictionary(s => s.Path, StringComparer.Ordinal);
        var slots = YamlSecretSlots.Find(root, [], [], c => byPath.TryGetValue(c.Path, out var s) ? s.Kind : null);
        if (slots.Count != byPath.Count) return null;
        return Replace(original, root, slots, s => Tagged(byPath[s.Path].Node));
    }

    /// <summary>
    /// The secret parts of the values a snapshot masks inside text, read from the unchanged original: the run must mask
    /// them again even when the environment that marked them secret the first time is not there now.
    /// </summary>
    public static IEnumerable<string> Unmasked(string original, IReadOnlyList<SecretSlot> snapshot)
    {
        (original, var loaded) = Parsable(original);
        if (loaded is not { } root) return [];
        var byPath = snapshot.ToDictionary(s => s.Path, StringComparer.Ordinal);
        return YamlSecretSlots.Find(root, [], [], c => byPath.TryGetValue(c.Path, out var s) ? s.Kind : null)
            .SelectMany(s => Gaps(((YamlScalarNode)byPath[s.Path].Node).Value ?? "", ((YamlScalarNode)s.Node).Value ?? ""))
            .Where(g => g.Length > 0).ToList();
    }

    /// <summary>What stands where <paramref name="masked"/> has <c>***</c>; the rest of the text when they cannot be lined up.</summary>
    private static IEnumerable<string> Gaps(string masked, string original)
    {
        var pieces = masked.Split(Redactor.Mask);
        if (pieces.Length == 1 || !original.StartsWith(pieces[0], StringComparison.Ordinal))
        {
            yield return original;
            yield break;
        }
        var at = pieces[0].Length;
        for (var i = 1; i < pieces.Length; i++)
        {
            var last = i == pieces.Length - 1;
            var next = last
                ? (original.EndsWith(pieces[i], StringComparison.Ordinal) ? original.Length - pieces[i].Length : -1)
                : original.IndexOf(pieces[i], at, StringComparison.Ordinal);
            if (next < at)
            {
                yield return original[at..];
                yield break;
            }
            yield return original[at..next];
            at = next + pieces[i].Length;
        }
    }

    /// <summary>The values masked in a snapshot, found by their tags.</summary>
    public static List<SecretSlot> Find(YamlMappingNode snapshot) =>
        YamlSecretSlots.Find(snapshot, [], [], c => c.Node.Tag.IsEmpty ? null
            : c.Node.Tag.Value == SecretTag ? c.Context
            : c.Node.Tag.Value == MaskedTag ? SecretSlotKind.Text : null);

    /// <summary>The snapshot's text with each slot's placeholder replaced by what <paramref name="replacement"/> gives.</summary>
    public static string? Fill(string snapshot, YamlMappingNode root, IReadOnlyList<SecretSlot> slots, Func<SecretSlot, string> replacement) =>
        Replace(snapshot, root, slots, replacement);

    /// <summary>A YAML double-quoted scalar holding exactly <paramref name="value"/> (JSON strings are valid YAML).</summary>
    public static string Quote(string value)
    {
        // A writer, not JsonSerializer: the native build has no reflection-based serializer.
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(value.Length + 2);
        using (var writer = new Utf8JsonWriter(buffer, Quoting)) writer.WriteStringValue(value);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The first value masked by a snapshot, for the loader to refuse; null when there is none.</summary>
    public static YamlNode? FirstMasked(YamlNode root) =>
        Nodes(root).Where(n => !n.Tag.IsEmpty && n.Tag.Value is SecretTag or MaskedTag).MinBy(n => n.Start.Index);

    private static SecretSlotKind? Decide(SlotCandidate candidate, Redactor redactor)
    {
        if (candidate.SecretName && candidate.Context != SecretSlotKind.Text)
            // An anchored secret may be used elsewhere through aliases: only the file itself can give it back.
            return candidate.Node.Anchor.IsEmpty ? candidate.Context : SecretSlotKind.Text;
        var value = candidate.Node.Value ?? "";
        return candidate.SecretName || redactor.Redact(value) != value ? SecretSlotKind.Text : null;
    }

    private static string Placeholder(SecretSlot slot, Redactor redactor)
    {
        if (slot.Kind != SecretSlotKind.Text) return SecretTag + " " + Quote(Redactor.Mask);
        var value = ((YamlScalarNode)slot.Node).Value ?? "";
        var masked = redactor.Redact(value);
        // A value under a secret name too short for the redactor is still masked whole.
        return MaskedTag + " " + Quote(masked == value ? Redactor.Mask : masked);
    }

    private static string Tagged(YamlNode node) => node.Tag.Value + " " + Quote(((YamlScalarNode)node).Value ?? "");

    /// <summary>
    /// Replaces each slot's scalar in the text, anchor kept, so comments and layout stay; if the result does not parse
    /// (an odd layout), the whole document is written again from its nodes instead, comments lost.
    /// </summary>
    private static string? Replace(string yaml, YamlMappingNode root, IReadOnlyList<SecretSlot> slots, Func<SecretSlot, string> replacement)
    {
        // Nothing to replace: the text is the one the tree was read from (reading it again took a third of a 500-stage run's
        // start, perf).
        if (slots.Count == 0) return CountTagged(root) == 0 ? yaml : Rewrite(root, slots, replacement);
        var text = new StringBuilder(yaml);
        foreach (var slot in slots.OrderByDescending(s => s.Node.Start.Index))
        {
            var start = (int)slot.Node.Start.Index;
            var end = (int)slot.Node.End.Index;
            while (end > start && char.IsWhiteSpace(yaml[end - 1])) end--;
            var anchor = slot.Node.Anchor.IsEmpty ? "" : "&" + slot.Node.Anchor.Value + " ";
            text.Remove(start, end - start).Insert(start, anchor + replacement(slot));
        }
        var spliced = text.ToString();
        var tagged = slots.Count(s => replacement(s).StartsWith('!'));
        if (TryLoad(spliced) is { } check && CountTagged(check) == tagged) return spliced;
        return Rewrite(root, slots, replacement);
    }

    private static int CountTagged(YamlNode root) => Nodes(root).Count(n => !n.Tag.IsEmpty && n.Tag.Value is SecretTag or MaskedTag);

    /// <summary>Every node once, aliases not followed again.</summary>
    private static IEnumerable<YamlNode> Nodes(YamlNode root)
    {
        var visited = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<YamlNode>([root]);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (!visited.Add(node)) continue;
            yield return node;
            if (node is YamlSequenceNode sequence) foreach (var child in sequence.Children) pending.Push(child);
            if (node is YamlMappingNode mapping)
                foreach (var (key, value) in mapping.Children)
                {
                    pending.Push(key);
                    pending.Push(value);
                }
        }
    }

    private static string? Rewrite(YamlMappingNode root, IReadOnlyList<SecretSlot> slots, Func<SecretSlot, string> replacement)
    {
        foreach (var slot in slots)
        {
            var scalar = (YamlScalarNode)slot.Node;
            var placeholder = TryLoadScalar(replacement(slot));
            if (placeholder is null) return null;
            scalar.Value = placeholder.Value;
            scalar.Tag = placeholder.Tag;
            scalar.Style = placeholder.Style;
        }
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return TryLoad(text) is null ? null : text;
    }

    private static YamlScalarNode? TryLoadScalar(string text) =>
        TryLoad("v: " + text) is { } map && map.Children.Values.FirstOrDefault() is YamlScalarNode scalar ? scalar : null;

    /// <summary>
    /// A gather written <c>all: 06_asr.segments[*]</c> in a flow mapping is not YAML until quoted, as the loader does
    /// (<see cref="Pipeline.FanOut.GatherSyntax"/>): the snapshot is the quoted text, and the original is compared quoted too.
    /// </summary>
    private static (string Text, YamlMappingNode? Root) Parsable(string yaml)
    {
        if (TryLoad(yaml) is { } root) return (yaml, root);
        var quoted = Pipeline.FanOut.GatherSyntax.Quote(yaml);
        return (quoted, TryLoad(quoted));
    }

    internal static YamlMappingNode? TryLoad(string yaml)
    {
        try
        {
            // Bounded like the loader: the original file read again on resume may have been replaced by anything.
            var stream = new YamlStream();
            stream.Load(new Pipeline.Limits.BoundedParser(new Parser(new StringReader(yaml)), "snapshot",
                Pipeline.Limits.PipelineLimits.FromEnvironment(), default));
            return stream.Documents.Count > 0 ? stream.Documents[0].RootNode as YamlMappingNode : null;
        }
        catch (Exception e) when (e is YamlException or Pipeline.PipelineInvalidException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }
}
