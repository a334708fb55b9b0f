using System.Diagnostics;
using System.Globalization;
using System.Text;
using CsCheck;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Pipeline.ShellQuoting;

/// <summary>
/// For any value (any Unicode but NUL, quotes, $, `, \, newlines, a here-document's end word…) and every quoting
/// context a placeholder is allowed in, the real /bin/sh receives exactly the value's bytes; and the lexer answers
/// for any command text, never throwing or hanging.
/// </summary>
public sealed class PlaceholderQuotingPropertyTests
{
    /// <summary>One /bin/sh per value runs every context (~2 ms each), so the property stays within seconds.</summary>
    private const int Values = 1000;
    private const int CommandTexts = 20_000;

    /// <summary>Each template prints the value (<c>$(…)</c> drops trailing newlines, hence the '.' it adds and removes).</summary>
    private static readonly (string Template, Func<string, string> Expected)[] AllowedContexts =
    [
        ("printf '%s' {config.v}", v => v),
        ("printf '%s' '{config.v}'", v => v),
        ("printf '%s' \"{config.v}\"", v => v),
        ("printf '%s' --x={config.v}", v => "--x=" + v),
        ("printf '%s' \"pre {config.v} post\"", v => $"pre {v} post"),
        ("printf '%s' 'a'{config.v}\"b\"", v => $"a{v}b"),
        ("x=$(printf '%s.' {config.v}); printf '%s' \"${x%.}\"", v => v),
        ("x=\"$(printf '%s.' \"{config.v}\")\"; printf '%s' \"${x%.}\"", v => v),
        ("x=\"$(printf '%s.' '{config.v}')\"; printf '%s' \"${x%.}\"", v => v),
        ("x=$(printf '%s' \"$(printf '%s.' \"{config.v}\")\"); printf '%s' \"${x%.}\"", v => v),
        ("case {config.v} in *) printf '%s' \"{config.v}\";; esac", v => v),
        ("if true; then\n  printf '%s' '{config.v}'\nfi", v => v),
        ("cat >/dev/null <<'EOF'\nbody $(x) EOF\nEOF\nprintf '%s' \"{config.v}\"", v => v),
        ("f() { printf '%s' \"$1\"; }; f {config.v}", v => v),
        ("v={config.v}; printf '%s' \"$v\"", v => v),
        ("v={config.v}\ncat <<EOF\n$v\nEOF", v => v + "\n"),
    ];

    private static readonly Gen<string> Piece = Gen.Frequency(
        (6, Gen.OneOf("'", "\"", "$", "`", "\\", "\n", "\t", " ", "(", ")", "{", "}", ";", "|", "&", "#", "*", "?", "~", "!",
            "<", ">", "=", "%", "-")),
        (2, Gen.OneOf("EOF", "\nEOF\n", "$(touch pwned)", "'\\''", "\\\"", "${x}", "$((1))", "\r\n", "{config.v}")),
        (3, Gen.Int[1, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32)),
        (3, Gen.Char['a', 'z'].Select(c => c.ToString())));

    private static readonly Gen<string> Value = Piece.Array[0, 24].Select(string.Concat);

    [Fact]
    public void Any_value_reaches_the_shell_as_the_same_bytes_in_every_allowed_context()
    {
        var script = string.Join("\nprintf '\\0'\n", AllowedContexts.Select(c => c.Template));
        Assert.All(Placeholders.Template(script).Slots, slot => Assert.True(slot.IsSafe, $"{slot.Text} at {slot.Start}: {slot.Context}"));

        Value.SampleFixed(value =>
        {
            var printed = Split(RunShell(Placeholders.Expand(script, (_, _) => value)));
            Assert.Equal(AllowedContexts.Length, printed.Count);
            for (var i = 0; i < AllowedContexts.Length; i++)
                Assert.True(Encoding.UTF8.GetBytes(AllowedContexts[i].Expected(value)).AsSpan().SequenceEqual(printed[i]),
                    $"context {i} ({AllowedContexts[i].Template}) printed {Convert.ToHexString(printed[i])}");
        }, iter: Values, print: Escape);
        ReliabilityFigures.Record("placeholder values run through /bin/sh, each in every allowed quoting context",
            $"{Values} values × {AllowedContexts.Length} contexts, bytes identical");
    }

    private const int NestedCommands = 300;

    /// <summary>Innermost commands that print the value, one per allowed context.</summary>
    private static readonly Gen<string> Innermost = Gen.OneOf("printf '%s' {config.v}", "printf '%s' '{config.v}'", "printf '%s' \"{config.v}\"",
        "v={config.v}; printf '%s' \"$v\"", "printf '%s' \"{config.v}\" | cat");

    /// <summary>
    /// Wrappers around a command; true when the wrapper is a command substitution, which drops trailing newlines.
    /// "$( " has its space so that a wrapped "( … )" does not make "$((", which shells read as arithmetic.
    /// </summary>
    private static readonly Gen<(string Format, bool Substitutes)> Wrapper = Gen.OneOf(
        ("printf '%s' \"$( {0})\"", true), ("x=$( {0}); printf '%s' \"$x\"", true), ("x=\"$( {0})\"; printf '%s' \"$x\"", true),
        ("{{ {0}; }}", false), ("( {0} )", false), ("if true; then {0}; fi", false), ("case a in a) {0};; (b) :;; esac", false),
        ("x=$(case a in a) printf '%s' \"$( {0})\";; esac); printf '%s' \"$x\"", true), ("cat >/dev/null <<'EOF'\n)'\"\nEOF\n{0}", false),
        (": # ' \" ) `\n{0}", false), ("{0} | cat", false));

    [Fact]
    public void Any_value_stays_data_at_any_depth_of_nested_commands_and_quotes()
    {
        var cases = Gen.Select(Value, Innermost, Wrapper.Array[0, 5]);
        cases.SampleFixed((value, innermost, wrappers) =>
        {
            var command = wrappers.Aggregate(innermost, (inner, w) => string.Format(CultureInfo.InvariantCulture, w.Format, inner));
            Assert.All(Placeholders.Template(command).Slots, slot => Assert.True(slot.IsSafe, $"{command}: {slot.Context}"));
            var expected = wrappers.Any(w => w.Substitutes) ? value.TrimEnd('\n') : value;
            Assert.Equal(Encoding.UTF8.GetBytes(expected), RunShell(Placeholders.Expand(command, (_, _) => value)));
        }, iter: NestedCommands, print: t => $"{Escape(t.Item1)} in {Escape(t.Item2)} wrapped {t.Item3.Length}×");
        ReliabilityFigures.Record("placeholder values run through /bin/sh in randomly nested commands and quotes", $"{NestedCommands}");
    }

    private static readonly Gen<string> CommandPiece = Gen.Frequency(
        (8, Gen.OneOf("'", "\"", "`", "$(", "${", "$((", "((", ")", "}", "(", "<<", "<<-", "<<'EOF'", "EOF", "\n", "#", "\\", " ",
            "case", "esac", "in", ";;", "|", "$'", "$\"", "<(", "\t", ";", "=")),
        (4, Gen.OneOf("{config.v}", "{in.a}", "{out.b}", "{stage.dir}")),
        (2, Gen.Char.Select(c => c.ToString())),
        (3, Gen.Char['a', 'z'].Select(c => c.ToString())));

    [Fact]
    public void The_lexer_answers_for_any_command_text_and_refuses_every_placeholder_of_one_it_cannot_read()
    {
        CommandPiece.Array[0, 60].Select(string.Concat).SampleFixed(command =>
        {
            var template = Placeholders.Template(command);
            Assert.Equal(Placeholders.Find(command).Count(), template.Slots.Count);
            if (template.Problem is not null) Assert.All(template.Slots, slot => Assert.False(slot.IsSafe));
            foreach (var slot in template.Slots.Where(s => !s.IsSafe))
                Assert.False(string.IsNullOrEmpty(template.Refusal(slot)));
        }, iter: CommandTexts, print: Escape);
        ReliabilityFigures.Record("random command texts read by the placeholder quoting lexer without a crash or hang", $"{CommandTexts}");
    }

    private static List<byte[]> Split(byte[] output)
    {
        var parts = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= output.Length; i++)
        {
            if (i < output.Length && output[i] != 0) continue;
            parts.Add(output[start..i]);
            start = i + 1;
        }
        return parts;
    }

    private static byte[] RunShell(string command)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(20)), "sh did not finish");
        Assert.True(process.ExitCode == 0, $"sh exited with {process.ExitCode}: {stderr.Result}");
        return stdout.ToArray();
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder("\"");
        foreach (var rune in text.EnumerateRunes())
            builder.Append(rune.Value is < 0x20 or 0x7F or '"' or '\\' ? $"\\u{rune.Value:X4}" : rune.ToString());
        return builder.Append('"').ToString();
    }
}
