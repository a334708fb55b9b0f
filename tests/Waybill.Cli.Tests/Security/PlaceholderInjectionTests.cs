using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Security;

/// <summary>
/// Placeholder values are data wherever the author put the placeholder: inside their own quotes they are escaped for
/// that quoting, and where no escaping is safe (backticks, here-documents, comments, ${…}, $((…))) validation refuses
/// the pipeline before anything runs. Every hostile value tries to create a file named "pwned"; it must never appear.
/// </summary>
public sealed class PlaceholderInjectionTests : IDisposable
{
    private const string Marker = "pwned";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Output(string stage, string file) => _temp.Combine("out", "j", stage, file);

    private void AssertNothingRan() =>
        Assert.Empty(Directory.GetFiles(_temp.Path, Marker + "*", SearchOption.AllDirectories));

    [Theory]
    [InlineData("$(touch pwned)")]
    [InlineData("`touch pwned`")]
    [InlineData("\"; touch pwned; \"")]
    [InlineData("\\\"; touch pwned; \\\"")]
    [InlineData("x\\")]
    [InlineData("${HOME:+$(touch pwned)}")]
    public async Task A_set_value_inside_the_authors_double_quotes_is_printed_as_it_is(string value)
    {
        _temp.Write("waybill.yaml", """
            config: { v: plain }
            stages:
              - id: 01_echo
                run: printf '[%s]\n' "{config.v}" > {out.o}
                outputs: { o: o.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--set", "v=" + value);
        Assert.True(run.ExitCode == 0, run.All);
        AssertNothingRan();
        Assert.Equal($"[{value}]\n", File.ReadAllText(Output("01_echo", "o.txt")));
    }

    [Theory]
    [InlineData("first\ntouch pwned\nlast")]
    [InlineData("'; touch pwned; '")]
    [InlineData("it's\n'\ntouch pwned #")]
    public async Task A_value_with_newlines_and_quotes_inside_the_authors_single_quotes_stays_literal(string value)
    {
        var quoted = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Replace("\"", "\\\"", StringComparison.Ordinal);
        _temp.Write("waybill.yaml", $$"""
            config: { v: "{{quoted}}" }
            stages:
              - id: 01_echo
                run: printf '[%s]\n' '{config.v}' > {out.o}
                outputs: { o: o.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        AssertNothingRan();
        Assert.Equal($"[{value}]\n", File.ReadAllText(Output("01_echo", "o.txt")));
    }

    [Theory]
    [InlineData("b$(touch pwned).txt")]
    [InlineData("b`touch pwned`.txt")]
    [InlineData("b\"; touch pwned; \".txt")]
    public async Task A_hostile_input_file_name_read_inside_double_quotes_is_only_a_name(string name)
    {
        _temp.Write(name, "the content\n");
        _temp.Write("waybill.yaml", $$"""
            stages:
              - id: 01_read
                inputs: { f: { path: '{{name}}' } }
                run: cat "{in.f}" > {out.o}; printf '%s' "$(basename "{in.f}")" > {out.n}
                outputs: { o: o.txt, n: name.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        AssertNothingRan();
        Assert.Equal("the content\n", File.ReadAllText(Output("01_read", "o.txt")));
        Assert.Equal(name, File.ReadAllText(Output("01_read", "name.txt")));
    }

    [Fact]
    public async Task A_value_nested_in_quotes_inside_command_substitution_stays_literal()
    {
        const string value = "a\"b'c $(touch pwned) `touch pwned` \\ d";
        _temp.Write("waybill.yaml", """
            config: { v: plain }
            stages:
              - id: 01_echo
                run: |
                  printf '%s|%s|%s\n' "$(printf '%s' "{config.v}")" "$(printf '%s' '{config.v}')" $(printf '%s' {config.v} | wc -c) > {out.o}
                outputs: { o: o.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--set", "v=" + value);
        Assert.True(run.ExitCode == 0, run.All);
        AssertNothingRan();
        Assert.Equal($"{value}|{value}|{System.Text.Encoding.UTF8.GetByteCount(value)}\n", File.ReadAllText(Output("01_echo", "o.txt")));
    }

    public static TheoryData<string, string, string, string> RefusedContexts => new()
    {
        { "echo `echo {config.v}` > {out.o}", "{config.v}", "inside backticks", "use $(…) instead of backticks" },
        { "echo done > {out.o} # uses {config.v}", "{config.v}", "in a comment", "remove the placeholder from the comment" },
        { "echo \"${NAME:-{config.v}}\" > {out.o}", "{config.v}", "inside ${…}", "assign it to a variable first" },
        { "echo $(( {config.n} + 1 )) > {out.o}", "{config.n}", "inside arithmetic $((…))", "check that it is a number" },
        { "echo \\{config.v} > {out.o}", "{config.v}", "right after a backslash", "remove the backslash" },
        { "echo \"{config.v} > {out.o}", "{config.v}", "never closed", "close every quote" },
    };

    [Theory]
    [MemberData(nameof(RefusedContexts))]
    public async Task A_placeholder_where_no_quoting_is_safe_is_refused_by_validate_and_run(
        string command, string placeholder, string context, string hint)
    {
        var yaml = $"config: {{ v: x, n: 1 }}\nstages:\n  - id: 01_a\n    run: '{command}'\n    outputs: {{ o: o.txt }}\n";
        var column = "    run: '".Length + command.IndexOf(placeholder, StringComparison.Ordinal) + 1;
        await AssertRefused(yaml, $"waybill.yaml:4:{column}: 01_a.run: placeholder {placeholder} ", context, hint);
    }

    [Theory]
    [InlineData("EOF")]
    [InlineData("'EOF'")]
    public async Task A_placeholder_in_a_here_document_is_refused_with_its_line_and_column(string delimiter)
    {
        var yaml = $"config: {{ v: x }}\nstages:\n  - id: 01_a\n    run: |\n      cat <<{delimiter} > {{out.o}}\n"
            + "      value: {config.v}\n      EOF\n    outputs: { o: o.txt }\n";
        await AssertRefused(yaml, "waybill.yaml:6:14: 01_a.run: placeholder {config.v} ", "in a here-document",
            "assign it to a variable first: v={config.v}");
    }

    [Fact]
    public async Task A_value_with_a_nul_byte_fails_the_stage_naming_the_placeholder()
    {
        _temp.Write("waybill.yaml",
            "config: { v: \"a\\0b\" }\nstages:\n  - id: 01_a\n    run: printf '%s' {config.v} > {out.o}\n    outputs: { o: o.txt }\n");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("placeholder {config.v}", run.All);
        Assert.Contains("NUL", run.All);
        Assert.False(File.Exists(Output("01_a", "o.txt")), "a value cut at its NUL byte must not reach the command");
    }

    private async Task AssertRefused(string yaml, string where, string context, string hint)
    {
        _temp.Write("waybill.yaml", yaml);
        var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--set", "v=$(touch pwned)");
        foreach (var result in new[] { validate, run })
        {
            Assert.True(result.ExitCode == 2, result.All);
            Assert.Contains(where, result.Stderr);
            Assert.Contains(context, result.Stderr);
            Assert.Contains(hint, result.Stderr);
        }
        Assert.False(Directory.Exists(_temp.Combine("out")), "a refused pipeline must not start a job");
        AssertNothingRan();
    }
}
