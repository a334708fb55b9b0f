using System.Text;

namespace Waybill.Core.Pipeline.ShellQuoting;

/// <summary>
/// Reads a POSIX <c>sh</c> command just far enough to know, for each placeholder in it, the quoting context the shell
/// will read it in: unquoted, inside <c>'…'</c> or <c>"…"</c>, nested in <c>$(…)</c> (each level with its own quotes),
/// or in a place no escaping makes safe (backticks, here-documents, <c>${…}</c>, arithmetic, comments).
/// One forward pass, no backtracking; a placeholder it does not reach, or any text it cannot read with certainty
/// (an unclosed quote or bracket), leaves the placeholder <see cref="ShellContext.Uncertain"/>, which is refused.
/// </summary>
internal sealed class ShellLexer
{
    /// <summary>Deeper nesting is refused, so hostile text cannot exhaust the stack (real commands nest 2 or 3 levels).</summary>
    private const int MaxNesting = 64;

    private readonly string _text;
    private readonly IReadOnlyList<(int Start, int Length)> _spans;
    private readonly ShellContext[] _contexts;
    private readonly List<(string Delimiter, bool StripTabs, int At)> _pendingHereDocuments = [];
    private int _pos;
    private int _next;
    private int _depth;
    private string? _problem;

    private ShellLexer(string text, IReadOnlyList<(int Start, int Length)> spans)
    {
        _text = text;
        _spans = spans;
        _contexts = new ShellContext[spans.Count];
        Array.Fill(_contexts, ShellContext.Uncertain);
    }

    /// <summary>The context of each span (placeholders, sorted and disjoint), and what made the command unreadable, if anything.</summary>
    public static (ShellContext[] Contexts, string? Problem) Classify(string text, IReadOnlyList<(int Start, int Length)> spans)
    {
        var lexer = new ShellLexer(text, spans);
        lexer.Unquoted(closing: false, refused: null);
        if (lexer._pendingHereDocuments.Count > 0)
            lexer.Fail($"the here-document started at {lexer.Where(lexer._pendingHereDocuments[0].At)} has no body");
        if (lexer._problem is not null)
        {
            for (var i = 0; i < lexer._contexts.Length; i++)
                if (lexer._contexts[i] is ShellContext.Unquoted or ShellContext.SingleQuoted or ShellContext.DoubleQuoted)
                    lexer._contexts[i] = ShellContext.Uncertain;
        }
        return (lexer._contexts, lexer._problem);
    }

    /// <summary>Word and command-position state of one unquoted level (the top, or the inside of one <c>$(…)</c>).</summary>
    private sealed class Level
    {
        /// <summary>Open '(' (false) and <c>case</c> (true), innermost last: a ')' closes a '(' but only ends a case pattern.</summary>
        public readonly List<bool> Open = [];
        public bool CommandStart = true;
        public int WordBegin = -1;
        public bool Plain;
    }

    private void Unquoted(bool closing, ShellContext? refused)
    {
        if (!Enter()) return;
        var open = _pos - 1;
        var level = new Level();
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(refused ?? ShellContext.Unquoted, level)) continue;
            var c = _text[_pos];
            switch (c)
            {
                case ' ' or '\t':
                    FinishWord(level);
                    _pos++;
                    break;
                case '\n':
                    FinishWord(level);
                    _pos++;
                    level.CommandStart = true;
                    ReadHereDocuments();
                    break;
                case ';' or '&' or '|':
                    FinishWord(level);
                    _pos++;
                    level.CommandStart = true;
                    break;
                case '(':
                    var arithmetic = level.CommandStart && level.WordBegin < 0 && At(_pos + 1) == '(';
                    FinishWord(level);
                    if (arithmetic)
                    {
                        _pos += 2;
                        Arithmetic();
                    }
                    else
                    {
                        _pos++;
                        level.Open.Add(false);
                        level.CommandStart = true;
                    }
                    break;
                case ')':
                    FinishWord(level);
                    _pos++;
                    level.CommandStart = true;
                    if (level.Open.Count > 0 && !level.Open[^1]) level.Open.RemoveAt(level.Open.Count - 1);
                    else if (level.Open.Count > 0) { } // the end of a case pattern
                    else if (closing)
                    {
                        Leave();
                        return;
                    }
                    else Fail($"the ')' at {Where(_pos - 1)} closes nothing");
                    break;
                case '<' or '>':
                    FinishWord(level);
                    Redirection(refused);
                    break;
                case '#' when level.WordBegin < 0:
                    Comment();
                    break;
                case '\\' when At(_pos + 1) == '\n':
                    _pos += 2; // a line continuation joins the lines and is not part of any word
                    break;
                case '\\':
                    BeginWord(level, plain: false);
                    if (IsPlaceholderAt(_pos + 1))
                    {
                        _pos++;
                        TakePlaceholder(refused ?? ShellContext.AfterBackslash, level);
                    }
                    else _pos = Math.Min(_pos + 2, _text.Length);
                    break;
                case '\'':
                    BeginWord(level, plain: false);
                    SingleQuoted(refused);
                    break;
                case '"':
                    BeginWord(level, plain: false);
                    DoubleQuoted(refused);
                    break;
                case '`':
                    BeginWord(level, plain: false);
                    Backquoted();
                    break;
                case '$':
                    BeginWord(level, plain: false);
                    Dollar(refused, inDoubleQuotes: false);
                    break;
                default:
                    BeginWord(level, plain: true);
                    _pos++;
                    break;
            }
        }
        FinishWord(level);
        if (closing) Fail($"the '(' at {Where(open)} is never closed");
        else if (level.Open.Count > 0) Fail(level.Open[^1] ? "a case in the command has no esac" : "a '(' in the command is never closed");
        Leave();
    }

    private void BeginWord(Level level, bool plain)
    {
        if (level.WordBegin < 0)
        {
            level.WordBegin = _pos;
            level.Plain = plain;
        }
        else if (!plain) level.Plain = false;
    }

    /// <summary>Tracks <c>case … esac</c> (whose patterns end in an unmatched ')') and where a command starts (for <c>((</c>).</summary>
    private void FinishWord(Level level)
    {
        if (level.WordBegin < 0) return;
        var begin = level.WordBegin;
        var atCommand = level.CommandStart;
        level.WordBegin = -1;
        level.CommandStart = false;
        if (!level.Plain) return;
        var word = _text.AsSpan(begin, _pos - begin);
        if (atCommand)
        {
            if (word is "case") level.Open.Add(true);
            else if (word is "esac" && level.Open.Count > 0 && level.Open[^1]) level.Open.RemoveAt(level.Open.Count - 1);
            else if (word is "if" or "then" or "else" or "elif" or "do" or "while" or "until" or "!" or "{" or "}" or "fi" or "done"
                || (word.IndexOf('=') > 0 && IsName(word[..word.IndexOf('=')])))
                level.CommandStart = true;
        }
        else if (word is "in" && level.Open.Count > 0 && level.Open[^1]) level.CommandStart = true;
    }

    private static bool IsName(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || char.IsAsciiDigit(text[0])) return false;
        foreach (var c in text)
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        return true;
    }

    private void SingleQuoted(ShellContext? refused)
    {
        var open = _pos++;
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(refused ?? ShellContext.SingleQuoted)) continue;
            if (_text[_pos++] == '\'') return;
        }
        Fail($"the ' at {Where(open)} is never closed");
    }

    private void DoubleQuoted(ShellContext? refused)
    {
        if (!Enter()) return;
        var open = _pos++;
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(refused ?? ShellContext.DoubleQuoted)) continue;
            switch (_text[_pos])
            {
                case '"':
                    _pos++;
                    Leave();
                    return;
                case '\\':
                    if (IsPlaceholderAt(_pos + 1))
                    {
                        _pos++;
                        TakePlaceholder(refused ?? ShellContext.AfterBackslash);
                    }
                    else _pos = Math.Min(_pos + 2, _text.Length);
                    break;
                case '`':
                    Backquoted();
                    break;
                case '$':
                    Dollar(refused, inDoubleQuotes: true);
                    break;
                default:
                    _pos++;
                    break;
            }
        }
        Fail($"the \" at {Where(open)} is never closed");
    }

    /// <summary>Backquoted text is read again by the shell after backslash removal, so every placeholder in it is refused.</summary>
    private void Backquoted()
    {
        var open = _pos++;
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(ShellContext.Backquoted)) continue;
            var c = _text[_pos];
            if (c == '\\' && IsPlaceholderAt(_pos + 1)) _pos++;
            else if (c == '\\') _pos = Math.Min(_pos + 2, _text.Length);
            else
            {
                _pos++;
                if (c == '`') return;
            }
        }
        Fail($"the ` at {Where(open)} is never closed");
    }

    private void Dollar(ShellContext? refused, bool inDoubleQuotes)
    {
        switch (At(_pos + 1))
        {
            case '(' when At(_pos + 2) == '(':
                _pos += 3;
                Arithmetic();
                break;
            case '(':
                _pos += 2;
                Unquoted(closing: true, refused);
                break;
            case '{':
                _pos += 2;
                Parameter(inDoubleQuotes);
                break;
            case '\'' when !inDoubleQuotes:
                _pos++;
                AnsiCQuoted();
                break;
            case '"' when !inDoubleQuotes:
                _pos++; // bash's $"…" is read like "…"
                DoubleQuoted(refused);
                break;
            default:
                _pos++;
                break;
        }
    }

    /// <summary>
    /// Inside <c>${…}</c>. Within double quotes, shells disagree on quotes in it (dash reads '…' as quotes after
    /// <c>#</c> or <c>%</c> and as characters after <c>:-</c>; bash differs again), so the rest cannot be read with certainty.
    /// </summary>
    private void Parameter(bool inDoubleQuotes)
    {
        if (!Enter()) return;
        var open = _pos - 2;
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(ShellContext.ParameterExpansion)) continue;
            switch (_text[_pos])
            {
                case '}':
                    _pos++;
                    Leave();
                    return;
                case '\\':
                    _pos = IsPlaceholderAt(_pos + 1) ? _pos + 1 : Math.Min(_pos + 2, _text.Length);
                    break;
                case '\'' or '"' when inDoubleQuotes:
                    Fail($"the quote at {Where(_pos)} inside \"${{…}}\" is read differently by dash and bash");
                    return;
                case '\'':
                    SingleQuoted(ShellContext.ParameterExpansion);
                    break;
                case '"':
                    DoubleQuoted(ShellContext.ParameterExpansion);
                    break;
                case '`':
                    Backquoted();
                    break;
                case '$':
                    Dollar(ShellContext.ParameterExpansion, inDoubleQuotes);
                    break;
                default:
                    _pos++;
                    break;
            }
        }
        Fail($"the ${{ at {Where(open)} is never closed");
    }

    /// <summary>After <c>$((</c> or a command's <c>((</c>, up to the matching <c>))</c>; quotes in arithmetic are left unread.</summary>
    private void Arithmetic()
    {
        if (!Enter()) return;
        var open = _pos - 2;
        var parens = 0;
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(ShellContext.Arithmetic)) continue;
            switch (_text[_pos])
            {
                case '(':
                    parens++;
                    _pos++;
                    break;
                case ')' when parens > 0:
                    parens--;
                    _pos++;
                    break;
                case ')' when At(_pos + 1) == ')':
                    _pos += 2;
                    Leave();
                    return;
                case ')':
                    Fail($"the (( at {Where(open)} is closed by a single ')'");
                    return;
                case '\\':
                    _pos = IsPlaceholderAt(_pos + 1) ? _pos + 1 : Math.Min(_pos + 2, _text.Length);
                    break;
                case '\'' or '"':
                    Fail($"the quote at {Where(_pos)} inside arithmetic is read differently by dash and bash");
                    return;
                case '`':
                    Backquoted();
                    break;
                case '$':
                    Dollar(ShellContext.Arithmetic, inDoubleQuotes: false);
                    break;
                default:
                    _pos++;
                    break;
            }
        }
        Fail($"the (( at {Where(open)} is never closed");
    }

    /// <summary>bash reads <c>\'</c> inside <c>$'…'</c> as a quote, dash ends the string there: such text is refused.</summary>
    private void AnsiCQuoted()
    {
        var open = _pos - 1;
        _pos++;
        while (_pos < _text.Length)
        {
            if (TakePlaceholder(ShellContext.AnsiCQuoted)) continue;
            var c = _text[_pos];
            if (c == '\\' && At(_pos + 1) == '\'')
            {
                Fail($"the $' at {Where(open)} holds \\', which bash and dash read differently");
                return;
            }
            if (c == '\\') _pos = IsPlaceholderAt(_pos + 1) ? _pos + 1 : Math.Min(_pos + 2, _text.Length);
            else
            {
                _pos++;
                if (c == '\'') return;
            }
        }
        Fail($"the $' at {Where(open)} is never closed");
    }

    private void Comment()
    {
        while (_pos < _text.Length && _text[_pos] != '\n')
            if (!TakePlaceholder(ShellContext.Comment)) _pos++;
    }

    /// <summary>At <c>&lt;</c> or <c>&gt;</c>: a here-document, a process substitution (bash) or a plain redirection.</summary>
    private void Redirection(ShellContext? refused)
    {
        var c = _text[_pos];
        if (c == '<' && At(_pos + 1) == '<' && At(_pos + 2) != '<')
        {
            var at = _pos;
            _pos += 2;
            var stripTabs = At(_pos) == '-';
            if (stripTabs) _pos++;
            while (At(_pos) is ' ' or '\t') _pos++;
            if (ReadHereDocumentDelimiter() is { } delimiter) _pendingHereDocuments.Add((delimiter, stripTabs, at));
            else Fail($"the << at {Where(at)} has no end word");
        }
        else if (At(_pos + 1) == '(')
        {
            _pos += 2;
            Unquoted(closing: true, refused);
        }
        else if (c == '<' && At(_pos + 1) == '<') _pos += 3; // bash's here-string <<<
        else _pos++;
    }

    /// <summary>The end word with its quotes removed (its quoting only decides whether the body is expanded, which both forms refuse).</summary>
    private string? ReadHereDocumentDelimiter()
    {
        var word = new StringBuilder();
        var quoted = false;
        while (_pos < _text.Length)
        {
            var before = _pos;
            if (TakePlaceholder(ShellContext.HereDocumentDelimiter))
            {
                word.Append(_text, before, _pos - before);
                continue;
            }
            var c = _text[_pos];
            if (c is ' ' or '\t' or '\n' or ';' or '&' or '|' or '(' or ')' or '<' or '>') break;
            if (c is '\'' or '"')
            {
                quoted = true;
                var open = _pos++;
                while (_pos < _text.Length && _text[_pos] != c)
                {
                    before = _pos;
                    if (TakePlaceholder(ShellContext.HereDocumentDelimiter)) word.Append(_text, before, _pos - before);
                    else
                    {
                        if (c == '"' && _text[_pos] == '\\' && At(_pos + 1) is '"' or '\\' or '$' or '`') _pos++;
                        word.Append(_text[_pos++]);
                    }
                }
                if (_pos >= _text.Length)
                {
                    Fail($"the {c} at {Where(open)} is never closed");
                    return null;
                }
                _pos++;
            }
            else if (c == '\\')
            {
                quoted = true;
                _pos++;
                if (_pos < _text.Length && !IsPlaceholderAt(_pos)) word.Append(_text[_pos++]);
            }
            else
            {
                word.Append(c);
                _pos++;
            }
        }
        return word.Length > 0 || quoted ? word.ToString() : null;
    }

    /// <summary>Called after a newline outside quotes: the bodies of the here-documents started on the line just read.</summary>
    private void ReadHereDocuments()
    {
        foreach (var (delimiter, stripTabs, at) in _pendingHereDocuments)
        {
            while (true)
            {
                if (_pos >= _text.Length)
                {
                    Fail($"the here-document started at {Where(at)} has no end line '{delimiter}'");
                    return;
                }
                var end = _text.IndexOf('\n', _pos);
                if (end < 0) end = _text.Length;
                var line = _text.AsSpan(_pos, end - _pos);
                if (stripTabs) line = line.TrimStart('\t');
                if (line.SequenceEqual(delimiter))
                {
                    while (_pos < end)
                        if (!TakePlaceholder(ShellContext.HereDocumentDelimiter)) _pos++;
                    _pos = Math.Min(end + 1, _text.Length);
                    break;
                }
                while (_pos < end)
                    if (!TakePlaceholder(ShellContext.HereDocument)) _pos++;
                if (end == _text.Length)
                {
                    Fail($"the here-document started at {Where(at)} has no end line '{delimiter}'");
                    return;
                }
                _pos = end + 1;
            }
        }
        _pendingHereDocuments.Clear();
    }

    private bool IsPlaceholderAt(int index)
    {
        while (_next < _spans.Count && _spans[_next].Start < _pos) _next++; // one skipped over stays Uncertain
        return _next < _spans.Count && _spans[_next].Start == index;
    }

    /// <summary>When a placeholder starts here: records its context, steps over it and returns true.</summary>
    private bool TakePlaceholder(ShellContext context, Level? level = null)
    {
        if (!IsPlaceholderAt(_pos)) return false;
        if (level is not null) BeginWord(level, plain: false);
        _contexts[_next] = context;
        _pos += _spans[_next].Length;
        _next++;
        return true;
    }

    private char At(int index) => index < _text.Length ? _text[index] : '\0';

    private bool Enter()
    {
        if (++_depth <= MaxNesting) return true;
        _depth--;
        Fail($"the command nests quotes and substitutions deeper than {MaxNesting} levels at {Where(_pos)}");
        return false;
    }

    private void Leave() => _depth--;

    /// <summary>Keeps the first problem and ends the pass: every placeholder not yet reached stays Uncertain.</summary>
    private void Fail(string problem)
    {
        _problem ??= problem;
        _pos = _text.Length;
    }

    /// <summary>A position in the command as a person counts it: "column 7" or "line 2, column 3 of the command".</summary>
    private string Where(int index)
    {
        index = Math.Clamp(index, 0, _text.Length);
        var lineStart = _text.LastIndexOf('\n', Math.Max(index - 1, 0)) + 1;
        if (index == 0) lineStart = 0;
        var line = 1 + _text.AsSpan(0, lineStart).Count('\n');
        var column = index - lineStart + 1;
        return line == 1 ? $"column {column} of the command" : $"line {line}, column {column} of the command";
    }
}
