namespace Waybill.Core.Lineage;

/// <summary>The stages and files of one job, the links between them, and links to other jobs found by checksum.</summary>
public sealed class LineageGraph
{
    private readonly List<LineageNode> _nodes = [];
    private readonly List<LineageLink> _links = [];
    private readonly Dictionary<string, LineageNode> _byKey = new(StringComparer.Ordinal);
    private readonly HashSet<(int From, int To, LinkKind Kind, string? Name)> _linkSet = [];
    private readonly List<List<LineageLink>> _incoming = [];
    private readonly List<List<LineageLink>> _outgoing = [];

    public LineageGraph(string jobId, string jobRoot)
    {
        JobId = jobId;
        JobRoot = jobRoot;
    }

    public string JobId { get; }
    public string JobRoot { get; }
    public string? Pipeline { get; init; }
    public string? JobStatus { get; init; }

    public IReadOnlyList<LineageNode> Nodes => _nodes;
    public IReadOnlyList<LineageLink> Links => _links;
    public IEnumerable<StageNode> Stages => _nodes.OfType<StageNode>();
    public IEnumerable<FileNode> Files => _nodes.OfType<FileNode>();

    public LineageNode? Find(string key) => _byKey.GetValueOrDefault(key);

    public IReadOnlyList<LineageLink> Incoming(LineageNode node) => _incoming[node.Index];

    public IReadOnlyList<LineageLink> Outgoing(LineageNode node) => _outgoing[node.Index];

    public static string StageKey(string stageId) => "stage:" + stageId;

    public static string OtherJobStageKey(string jobId, string stageId) => $"job:{jobId}/stage:{stageId}";

    public static string FileKey(string path) => "file:" + path;

    /// <summary>The node with this key, or the one <paramref name="create"/> makes and adds.</summary>
    public T GetOrAdd<T>(string key, Func<string, T> create) where T : LineageNode
    {
        if (_byKey.TryGetValue(key, out var existing))
            return existing as T ?? throw new InvalidOperationException($"lineage node {key} is a {existing.GetType().Name}, not a {typeof(T).Name}");
        var node = create(key);
        node.Index = _nodes.Count;
        _nodes.Add(node);
        _byKey.Add(key, node);
        _incoming.Add([]);
        _outgoing.Add([]);
        return node;
    }

    /// <summary>Adds a link once; the same file read twice under one input name is one link.</summary>
    public void Link(LineageNode from, LineageNode to, LinkKind kind, string? name = null, string? otherPath = null)
    {
        if (!_linkSet.Add((from.Index, to.Index, kind, name))) return;
        var link = new LineageLink { From = from, To = to, Kind = kind, Name = name, OtherPath = otherPath };
        _links.Add(link);
        _outgoing[from.Index].Add(link);
        _incoming[to.Index].Add(link);
    }
}
