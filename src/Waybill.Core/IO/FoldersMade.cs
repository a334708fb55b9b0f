namespace Waybill.Core.IO;

/// <summary>
/// Folders one run has made, so that a folder every stage needs (<c>.waybill/channels/</c>) is made once per run instead
/// of once per stage run: Directory.CreateDirectory of a folder that exists costs a mkdir and a stat each time.
/// </summary>
internal sealed class FoldersMade
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _made = new(StringComparer.Ordinal);

    /// <summary>Makes <paramref name="path"/> (and its parents) unless this run already did.</summary>
    public void Ensure(string path)
    {
        lock (_gate)
        {
            if (_made.Contains(path)) return;
            Directory.CreateDirectory(path);
            _made.Add(path);
        }
    }
}
