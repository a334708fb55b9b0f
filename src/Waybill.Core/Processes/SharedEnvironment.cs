using System.Text;

namespace Waybill.Core.Processes;

/// <summary>
/// An environment many children start from (the engine's own), checked and encoded once: a command stage's request to the
/// spawner copies its bytes instead of checking and encoding some 40 variables again per command (about a tenth of the
/// engine's CPU time per no-op stage run went to building, checking and encoding environments).
/// </summary>
internal sealed class SharedEnvironment
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly string[] _keys;
    private readonly int[] _starts;

    public SharedEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        Variables = new Dictionary<string, string>(variables, StringComparer.Ordinal);
        _keys = [.. Variables.Keys];
        _starts = new int[_keys.Length + 1];
        Valid = Variables.All(v => ChildProcess.IsValidVariable(v.Key, v.Value));
        if (!Valid) return;
        // "KEY=VALUE\0" each, in the order of _keys.
        var bytes = new List<byte>();
        for (var i = 0; i < _keys.Length; i++)
        {
            _starts[i] = bytes.Count;
            bytes.AddRange(Utf8.GetBytes(_keys[i] + "=" + Variables[_keys[i]] + "\0"));
        }

        _starts[^1] = bytes.Count;
        Encoded = [.. bytes];
    }

    public Dictionary<string, string> Variables { get; }

    /// <summary>Whether every variable has a name and holds no NUL: only then is <see cref="Encoded"/> set.</summary>
    public bool Valid { get; }

    /// <summary>Every variable as "KEY=VALUE\0", UTF-8; empty when not <see cref="Valid"/>.</summary>
    public byte[] Encoded { get; } = [];

    /// <summary>The number of bytes the variables not named in <paramref name="shadowed"/> take encoded.</summary>
    public int EncodedSize(IReadOnlyDictionary<string, string> shadowed, bool anyShadowed)
    {
        if (!anyShadowed) return Encoded.Length;
        var size = 0;
        for (var i = 0; i < _keys.Length; i++)
            if (!shadowed.ContainsKey(_keys[i])) size += _starts[i + 1] - _starts[i];
        return size;
    }

    /// <summary>Copies the variables not named in <paramref name="shadowed"/> to <paramref name="target"/>; the bytes written.</summary>
    public int CopyTo(Span<byte> target, IReadOnlyDictionary<string, string> shadowed, bool anyShadowed)
    {
        if (!anyShadowed)
        {
            Encoded.CopyTo(target);
            return Encoded.Length;
        }

        var written = 0;
        for (var i = 0; i < _keys.Length; i++)
        {
            if (shadowed.ContainsKey(_keys[i])) continue;
            var entry = Encoded.AsSpan(_starts[i], _starts[i + 1] - _starts[i]);
            entry.CopyTo(target[written..]);
            written += entry.Length;
        }

        return written;
    }
}
