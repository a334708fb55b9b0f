namespace Waybill.Core.Lineage;

/// <summary>A stage or a file in a lineage graph.</summary>
public abstract class LineageNode
{
    /// <summary>Unique in the graph: <c>stage:02_asr</c>, <c>file:02_asr/words.json</c>, <c>job:other/stage:03_mux</c>.</summary>
    public required string Key { get; init; }

    /// <summary>Position in the graph's node list; renderers use it for short element ids (<c>n12</c>).</summary>
    public int Index { get; internal set; }

    /// <summary>The name a reader knows the node by: a stage id or a file path.</summary>
    public abstract string Label { get; }
}
