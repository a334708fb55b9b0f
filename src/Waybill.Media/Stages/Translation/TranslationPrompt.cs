using System.Text;
using System.Text.RegularExpressions;
using Waybill.Media.Model;

namespace Waybill.Media.Stages.Translation;

/// <summary>
/// The chat that translates a batch of subtitle lines: numbered lines in, the same numbers out, so that a
/// missing, merged or extra line is detected instead of shifting every later subtitle.
/// </summary>
public static partial class TranslationPrompt
{
    public static List<ChatMessage> Build(IReadOnlyList<string> lines, IReadOnlyList<GlossaryTerm> terms, string source, string target, IReadOnlyList<IReadOnlyList<GlossaryTerm>>? required = null)
    {
        var system = new StringBuilder()
            .Append("You translate film subtitles from ").Append(LanguageNames.Describe(source))
            .Append(" to ").Append(LanguageNames.Describe(target)).AppendLine(".")
            .Append("You receive ").Append(lines.Count).Append(lines.Count == 1 ? " numbered line" : " numbered lines")
            .Append(". Reply with exactly ").Append(lines.Count).Append(lines.Count == 1 ? " line" : " lines")
            .Append(", numbered 1 to ").Append(lines.Count)
            .AppendLine(" in the same order, formatted \"N. translation\": one translated line for each source line.")
            .AppendLine("Do not merge, split, skip or add lines; write no notes or explanations. Keep each line short, as subtitles are.");
        var keep = terms.Where(t => t.Translation is null).Select(t => t.Term).ToList();
        var translateAs = terms.Where(t => t.Translation is not null).ToList();
        if (keep.Count > 0 || translateAs.Count > 0) system.AppendLine().AppendLine("Glossary:");
        if (keep.Count > 0)
            system.Append("Keep exactly as written, do not translate or change: ").AppendJoin(", ", keep.Select(k => $"\"{k}\"")).AppendLine();
        foreach (var term in translateAs)
            system.Append("Translate as: \"").Append(term.Term).Append("\" → \"").Append(term.Translation).AppendLine("\"");

        var user = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            user.Append(i + 1).Append(". ").Append(OneLine(lines[i]));
            if (required is not null && required[i].Count > 0)
                user.Append("   [must contain: ").AppendJoin(", ", required[i].Select(t => $"\"{t.Translation ?? t.Term}\"")).Append(']');
            user.AppendLine();
        }
        return [new("system", system.ToString().TrimEnd()), new("user", user.ToString().TrimEnd())];
    }

    /// <summary>The line numbered 1..<paramref name="count"/> in a reply; null when numbers are missing, repeated or extra.</summary>
    public static string[]? Parse(string reply, int count)
    {
        var result = new string?[count];
        var found = 0;
        foreach (var raw in reply.Split('\n'))
        {
            var match = NumberedLine().Match(raw.Trim());
            if (!match.Success) continue; // a preamble ("Here are the translations:") or a code fence
            if (!int.TryParse(match.Groups["n"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture, out var number)) return null;
            if (number < 1 || number > count || result[number - 1] is not null) return null;
            result[number - 1] = match.Groups["t"].Value.Trim();
            found++;
        }
        if (found == count) return [.. result.Select(r => r!)];
        // One line asked, one unnumbered line answered: that is the translation.
        if (count == 1 && found == 0)
        {
            var lines = reply.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("```", StringComparison.Ordinal)).ToList();
            if (lines.Count == 1) return [lines[0]];
        }
        return null;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex(@"^(?:\[(?<n>\d+)\]|(?<n>\d+)[.):])\s*(?<t>.*)$")]
    private static partial Regex NumberedLine();
}
