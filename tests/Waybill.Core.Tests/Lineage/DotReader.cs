using System.Text;

namespace Waybill.Core.Tests.Lineage;

/// <summary>
/// Reads the DOT subset the lineage writer uses, lexing quoted strings the way Graphviz's scanner does
/// (only backslash-quote is an escape there), so a badly escaped id or label fails to parse here too.
/// </summary>
public sealed class DotReader
{
    private readonly List<(bool Quoted, string Text)> _tokens = [];
    private int _next;

    public Dictionary<string, Dictionary<string, string>> Nodes { get; } = new(StringComparer.Ordinal);
    public List<(string From, string To, Dictionary<string, string> Attributes)> Edges { get; } = [];

    public static DotReader Parse(string dot)
    {
        var reader = new DotReader();
        reader.Lex(dot);
        reader.Graph();
        return reader;
    }

    /// <summary>A label as Graphviz draws it: \\ is a backslash and \n a line break.</summary>
    public static string LabelText(string label)
    {
        var text = new StringBuilder();
        for (var i = 0; i < label.Length; i++)
        {
            if (label[i] == '\\' && i + 1 < label.Length)
            {
                var next = label[++i];
                text.Append(next switch { 'n' or 'l' or 'r' => '\n', _ => next });
            }
            else text.Append(label[i]);
        }
        return text.ToString();
    }

    private void Lex(string dot)
    {
        var i = 0;
        while (i < dot.Length)
        {
            var c = dot[i];
            if (char.IsWhiteSpace(c)) i++;
            else if (c == '"')
            {
                var text = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= dot.Length) throw new FormatException("unterminated quoted string");
                    if (dot[i] == '"') break;
                    if (dot[i] == '\\' && i + 1 < dot.Length && dot[i + 1] == '"')
                    {
                        text.Append('"');
                        i += 2;
                    }
                    else text.Append(dot[i++]);
                }
                i++;
                _tokens.Add((true, text.ToString()));
            }
            else if (c == '-' && i + 1 < dot.Length && dot[i + 1] == '>')
            {
                _tokens.Add((false, "->"));
                i += 2;
            }
            else if ("{}[];,=".Contains(c, StringComparison.Ordinal))
            {
                _tokens.Add((false, c.ToString()));
                i++;
            }
            else if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
            {
                var start = i;
                while (i < dot.Length && (char.IsAsciiLetterOrDigit(dot[i]) || dot[i] is '_' or '.')) i++;
                _tokens.Add((false, dot[start..i]));
            }
            else throw new FormatException($"unexpected character '{c}' at offset {i}");
        }
    }

    private void Graph()
    {
        Expect("digraph");
        Id();
        Expect("{");
        while (Peek() != "}")
        {
            var first = Id();
            if (first is "graph" or "node" or "edge" && Peek() == "[") Attributes();
            else if (Peek() == "->")
            {
                _next++;
                var second = Id();
                Edges.Add((first, second, Peek() == "[" ? Attributes() : []));
            }
            else Nodes[first] = Peek() == "[" ? Attributes() : [];
            Expect(";");
        }
        Expect("}");
        if (_next != _tokens.Count) throw new FormatException("text after the closing brace");
    }

    private Dictionary<string, string> Attributes()
    {
        Expect("[");
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        while (Peek() != "]")
        {
            var name = Id();
            Expect("=");
            attributes[name] = Id();
            if (Peek() is "," or ";") _next++;
        }
        Expect("]");
        return attributes;
    }

    private string? Peek() => _next < _tokens.Count && !_tokens[_next].Quoted ? _tokens[_next].Text : _next < _tokens.Count ? "\"" : null;

    private string Id()
    {
        if (_next >= _tokens.Count) throw new FormatException("expected an id at the end");
        var (quoted, text) = _tokens[_next++];
        if (!quoted && text.Length > 0 && !char.IsAsciiLetterOrDigit(text[0]) && text[0] != '_') throw new FormatException($"expected an id, found '{text}'");
        return text;
    }

    private void Expect(string token)
    {
        if (_next >= _tokens.Count || _tokens[_next].Quoted || _tokens[_next].Text != token)
            throw new FormatException($"expected '{token}' at token {_next}, found '{(_next < _tokens.Count ? _tokens[_next].Text : "end")}'");
        _next++;
    }
}
