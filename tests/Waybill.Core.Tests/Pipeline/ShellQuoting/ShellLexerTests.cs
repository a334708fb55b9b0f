using Waybill.Core.Pipeline;
using Waybill.Core.Pipeline.ShellQuoting;
using Xunit;
using static Waybill.Core.Pipeline.ShellQuoting.ShellContext;

namespace Waybill.Core.Tests.Pipeline.ShellQuoting;

/// <summary>The quoting context the lexer finds for each placeholder, one shell construct at a time.</summary>
public sealed class ShellLexerTests
{
    private static ShellContext[] Contexts(string command) => [.. Placeholders.Template(command).Slots.Select(s => s.Context)];

    public static TheoryData<string, ShellContext[]> Commands => new()
    {
        { "cat {in.a} > {out.b}", [Unquoted, Unquoted] },
        { "printf '%s' '{config.v}'", [SingleQuoted] },
        { "printf '%s' \"{config.v}\"", [DoubleQuoted] },
        { "printf '%s' --x={config.v} a#{config.v}", [Unquoted, Unquoted] },
        { "echo 'it''s' \"a\\\"b\" {config.v}", [Unquoted] },
        { "echo \\\"{config.v}\\\"", [Unquoted] },
        { "echo $(cat {in.a})", [Unquoted] },
        { "echo \"$(printf %s \"{config.v}\")\"", [DoubleQuoted] },
        { "echo \"$(printf %s '{config.v}')\"", [SingleQuoted] },
        { "echo \"$(echo $(echo {config.v}) \"{config.v}\")\" '{config.v}'", [Unquoted, DoubleQuoted, SingleQuoted] },
        { "echo $(echo ')' {config.v}) \"{config.v}\"", [Unquoted, DoubleQuoted] },
        { "x=$(case {config.v} in a) echo {config.v};; (b) echo;; esac); echo \"{config.v}\"", [Unquoted, Unquoted, DoubleQuoted] },
        { "f() { echo {config.v}; }; f", [Unquoted] },
        { "( case a in a) echo {config.v};; esac ) \"{config.v}\"", [Unquoted, DoubleQuoted] },
        { "echo $( (case a in (a) echo {config.v};; esac) ) \"{config.v}\"", [Unquoted, DoubleQuoted] },
        { "cat <(echo {config.v}) \"{config.v}\"", [Unquoted, DoubleQuoted] },
        { "if true; then\n  echo \"{config.v}\"\nfi", [DoubleQuoted] },
        { "echo `cat {in.a}`", [Backquoted] },
        { "echo \"`cat \\\"{in.a}\\\"`\"", [Backquoted] },
        { "cat <<EOF\n{config.v}\nEOF\necho \"{config.v}\"", [HereDocument, DoubleQuoted] },
        { "cat <<'EOF'\n{config.v}\nEOF\necho {config.v}", [HereDocument, Unquoted] },
        { "cat <<-EOF; echo '{config.v}'\n\t{config.v}\n\tEOF\necho \"{config.v}\"", [SingleQuoted, HereDocument, DoubleQuoted] },
        { "echo $(cat <<EOF\n{config.v}\nEOF\n) {config.v}", [HereDocument, Unquoted] },
        { "cat <<{config.v}\nbody\n{config.v}\n", [HereDocumentDelimiter, HereDocumentDelimiter] },
        { "echo \"${X:-{config.v}}\"", [ParameterExpansion] },
        { "echo ${X:-'{config.v}'} {config.v}", [ParameterExpansion, Unquoted] },
        { "echo $(( {config.n} + 1 ))", [Arithmetic] },
        { "(( {config.n} > 1 )) && echo {config.v}", [Arithmetic, Unquoted] },
        { "echo hi # {config.v}\necho {config.v}", [Comment, Unquoted] },
        { "echo $(echo a # {config.v} )\n)", [Comment] },
        { "echo \\{config.v}", [AfterBackslash] },
        { "echo \"\\{config.v}\"", [AfterBackslash] },
        { "echo \\\\{config.v}", [Unquoted] },
        { "echo $'{config.v}'", [AnsiCQuoted] },
        { "echo a \\\n# {config.v}", [Comment] },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Each_placeholder_gets_the_context_it_stands_in(string command, ShellContext[] expected)
    {
        Assert.Equal(expected, Contexts(command));
        Assert.Null(Placeholders.Template(command).Problem);
    }

    [Theory]
    [InlineData("echo \"{config.v}", "the \" at column 6 of the command is never closed")]
    [InlineData("echo {config.v} 'open", "the ' at column 17 of the command is never closed")]
    [InlineData("echo $(echo {config.v}", "the '(' at column 7 of the command is never closed")]
    [InlineData("echo {config.v} )", "the ')' at column 17 of the command closes nothing")]
    [InlineData("echo {config.v} `x", "the ` at column 17 of the command is never closed")]
    [InlineData("cat <<EOF\n{config.v}\n", "has no end line 'EOF'")]
    [InlineData("echo {config.v}\necho ${x", "the ${ at line 2, column 6 of the command is never closed")]
    [InlineData("echo {config.v} $'a\\'b'", "holds \\', which bash and dash read differently")]
    [InlineData("echo \"${x#'}\" {config.v} \"'}\"", "inside \"${…}\" is read differently by dash and bash")]
    [InlineData("echo $(( '1' )) {config.v}", "inside arithmetic is read differently by dash and bash")]
    public void A_command_that_cannot_be_read_with_certainty_refuses_every_placeholder(string command, string problem)
    {
        var template = Placeholders.Template(command);
        Assert.All(template.Slots, s => Assert.False(s.IsSafe));
        Assert.Contains(problem, template.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_instead_of_exhausting_the_stack()
    {
        var command = string.Concat(Enumerable.Repeat("\"$(", 100_000)) + "{config.v}";
        var template = Placeholders.Template(command);
        Assert.Equal(Uncertain, Assert.Single(template.Slots).Context);
        Assert.Contains("deeper than 64 levels", template.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain/path_1.txt", "plain/path_1.txt")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("LD_PRELOAD=/x.so", "'LD_PRELOAD=/x.so'")]
    [InlineData("if", "'if'")]
    [InlineData("~root", "'~root'")]
    public void An_unquoted_value_is_one_word_that_cannot_be_an_assignment_or_a_keyword(string value, string word) =>
        Assert.Equal(word, ShellEscaping.Word(value));

    [Fact]
    public void Values_are_escaped_for_their_context()
    {
        var expanded = Placeholders.Expand("a {config.v} '{config.v}' \"{config.v}\"", (_, _) => "it's \"$x\" `y` \\");
        Assert.Equal("a 'it'\\''s \"$x\" `y` \\' 'it'\\''s \"$x\" `y` \\' \"it's \\\"\\$x\\\" \\`y\\` \\\\\"", expanded);
    }

    [Fact]
    public void A_refused_placeholder_or_a_nul_byte_fails_the_stage_at_run_time_too()
    {
        var refused = Assert.Throws<Waybill.Core.Stages.StageFailedException>(() => Placeholders.Expand("echo `echo {config.v}`", (_, _) => "x"));
        Assert.Contains("placeholder {config.v} is inside backticks", refused.Message, StringComparison.Ordinal);
        var nul = Assert.Throws<Waybill.Core.Stages.StageFailedException>(() => Placeholders.Expand("echo {config.v}", (_, _) => "a\0b"));
        Assert.Contains("placeholder {config.v} has a value with a NUL byte", nul.Message, StringComparison.Ordinal);
    }
}
