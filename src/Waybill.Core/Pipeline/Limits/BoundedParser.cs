using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Waybill.Core.Pipeline.Limits;

/// <summary>
/// Passes YAML events through while enforcing <see cref="PipelineLimits"/> on nesting and alias uses, refusing an alias
/// used inside the value its anchor names (which would make that value contain itself), and stopping when cancelled.
/// It sits under <c>YamlStream.Load</c>, which builds nodes recursively: refusing deep nesting here keeps that recursion short.
/// </summary>
internal sealed class BoundedParser(IParser inner, string display, PipelineLimits limits, CancellationToken cancellationToken) : IParser
{
    // Each anchor name's latest definition, by a serial number; an anchor may be defined again and then means the new value.
    private readonly Dictionary<string, int> _latest = new(StringComparer.Ordinal);
    // The mappings and lists still open, innermost last, by the serial of their anchor (0: none); a scalar is never open.
    private readonly Stack<int> _openSerials = new();
    private readonly HashSet<int> _openDefinitions = [];
    private int _serial;
    private int _aliases;

    public ParsingEvent? Current => inner.Current;

    /// <summary>Where the last event read began: the place to report a failure the parser gives no position for.</summary>
    public Mark Position { get; private set; } = Mark.Empty;

    public bool MoveNext()
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!inner.MoveNext()) return false;
        Position = inner.Current!.Start;
        switch (inner.Current)
        {
            case MappingStart or SequenceStart:
                var start = (NodeEvent)inner.Current;
                if (_openSerials.Count + 1 > limits.MaxDepth)
                    throw Refuse(start.Start, $"the file nests mappings and lists more than {limits.MaxDepth} levels deep",
                        PipelineLimits.RaiseHint(PipelineLimits.DepthVariable, "nest less", PipelineLimits.DepthCeiling));
                var serial = Define(start.Anchor);
                _openSerials.Push(serial);
                if (serial > 0) _openDefinitions.Add(serial);
                break;
            case MappingEnd or SequenceEnd when _openSerials.Count > 0:
                _openDefinitions.Remove(_openSerials.Pop());
                break;
            case Scalar scalar:
                Define(scalar.Anchor);
                break;
            case AnchorAlias alias:
                if (++_aliases > limits.MaxAliases)
                    throw Refuse(alias.Start, $"the file uses aliases (*name) more than {limits.MaxAliases} times",
                        PipelineLimits.RaiseHint(PipelineLimits.AliasesVariable, "use fewer aliases"));
                if (_latest.TryGetValue(alias.Value.Value, out var target) && _openDefinitions.Contains(target))
                    throw Refuse(alias.Start,
                        $"alias *{alias.Value.Value} is used inside the value that anchor &{alias.Value.Value} names, "
                        + "so that value would contain itself",
                        "an alias may only repeat a value defined before it, outside that value");
                break;
        }
        return true;
    }

    private int Define(AnchorName anchor)
    {
        if (anchor.IsEmpty) return 0;
        _latest[anchor.Value] = ++_serial;
        return _serial;
    }

    private PipelineInvalidException Refuse(Mark at, string message, string hint) =>
        new(new PipelineError(message, YamlValues.At(display, at), Hint: hint));
}
