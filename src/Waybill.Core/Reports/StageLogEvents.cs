using Microsoft.Extensions.Logging;
using Waybill.Core.Logging;

namespace Waybill.Core.Reports;

/// <summary>
/// The warning and error lines of one run's part of a stage.log, parsed once and indexed by message, so each recorded
/// problem finds its line in about O(log n) instead of a scan of the whole run (10,000 warnings over 8 MiB of log made
/// the scan-per-problem report hang). A line found is used up: two problems with one message take two lines, in order.
/// </summary>
internal sealed class StageLogEvents
{
    private readonly Level _errors = new();
    private readonly Level _warnings = new();
    private readonly HashSet<int> _used = [];

    public StageLogEvents(List<string> lines, int start)
    {
        for (var i = start; i < lines.Count; i++)
        {
            if (!LogLine.TryParse(lines[i], out var line)) continue;
            if (line!.Level >= LogLevel.Error) _errors.Add(line.Message, i);
            else if (line.Level == LogLevel.Warning) _warnings.Add(line.Message, i);
        }
        _errors.Seal();
        _warnings.Seal();
    }

    /// <summary>
    /// The first unused line logging exactly <paramref name="message"/> at the problem's level, else the first unused one
    /// whose message starts with it; -1 when none does.
    /// </summary>
    public int Take(bool isError, string message)
    {
        var level = isError ? _errors : _warnings;
        var hit = level.Exact(message, _used);
        if (hit < 0 && message.Length > 0) hit = level.Prefixed(message, _used);
        if (hit >= 0) _used.Add(hit);
        return hit;
    }

    /// <summary>The lines of one level: by exact message, and sorted by message for a prefix.</summary>
    private sealed class Level
    {
        private readonly Dictionary<string, Queue<int>> _byMessage = new(StringComparer.Ordinal);
        private readonly List<(string Message, int Line)> _sorted = [];

        public void Add(string message, int line)
        {
            if (!_byMessage.TryGetValue(message, out var lines)) _byMessage[message] = lines = new Queue<int>();
            lines.Enqueue(line);
            _sorted.Add((message, line));
        }

        public void Seal() => _sorted.Sort((a, b) => a.Message != b.Message
            ? string.CompareOrdinal(a.Message, b.Message) : a.Line.CompareTo(b.Line));

        public int Exact(string message, HashSet<int> used)
        {
            if (!_byMessage.TryGetValue(message, out var lines)) return -1;
            while (lines.TryPeek(out var line) && used.Contains(line)) lines.Dequeue();
            return lines.TryDequeue(out var found) ? found : -1;
        }

        public int Prefixed(string prefix, HashSet<int> used)
        {
            // Messages starting with the prefix sort together, from the first one not less than it.
            int low = 0, high = _sorted.Count;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (string.CompareOrdinal(_sorted[middle].Message, prefix) < 0) low = middle + 1;
                else high = middle;
            }
            var first = -1;
            for (var i = low; i < _sorted.Count && _sorted[i].Message.StartsWith(prefix, StringComparison.Ordinal); i++)
            {
                var line = _sorted[i].Line;
                if (!used.Contains(line) && (first < 0 || line < first)) first = line;
            }
            return first;
        }
    }
}
