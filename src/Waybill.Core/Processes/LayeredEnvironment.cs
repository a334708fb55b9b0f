using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Waybill.Core.Processes;

/// <summary>
/// A child's complete environment as a <see cref="SharedEnvironment"/> and the variables set over it: reads and
/// enumerates like one dictionary (the shared variables not set over, then those set), while the spawner copies the
/// shared part's encoded bytes as they are.
/// </summary>
internal sealed class LayeredEnvironment(SharedEnvironment shared) : IReadOnlyDictionary<string, string>
{
    private readonly Dictionary<string, string> _set = new(StringComparer.Ordinal);
    private int _shadowed;

    public SharedEnvironment Shared { get; } = shared;

    /// <summary>The variables set over the shared ones.</summary>
    public IReadOnlyDictionary<string, string> Set => _set;

    /// <summary>Whether a variable set here replaces a shared one.</summary>
    public bool ShadowsShared => _shadowed > 0;

    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The environment has no variable '{key}'.");
        set
        {
            if (!_set.ContainsKey(key) && Shared.Variables.ContainsKey(key)) _shadowed++;
            _set[key] = value;
        }
    }

    public int Count => Shared.Variables.Count + _set.Count - _shadowed;

    public IEnumerable<string> Keys => this.Select(v => v.Key);

    public IEnumerable<string> Values => this.Select(v => v.Value);

    public bool ContainsKey(string key) => _set.ContainsKey(key) || Shared.Variables.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value) =>
        _set.TryGetValue(key, out value) || Shared.Variables.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (var variable in Shared.Variables)
            if (_shadowed == 0 || !_set.ContainsKey(variable.Key)) yield return variable;
        foreach (var variable in _set) yield return variable;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
