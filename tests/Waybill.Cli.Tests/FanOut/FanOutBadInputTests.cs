using System.Diagnostics;
using Waybill.Cli.Tests.Support;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.FanOut;

/// <summary>
/// Items whose names are hostile: spaces, quotes, <c>$(…)</c>, backticks, newlines and bytes that are not UTF-8. Each name
/// reaches the command as one argument, intact, and is never run as code; what cannot be handled is refused with the name.
/// </summary>
public sealed class FanOutBadInputTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly string[] Names =
        ["with space", "quote'single", "dq\"double", "$(touch pwned)", "new\nline", "semi;colon`touch tick`", "-dash first"];

    [Fact]
    public async Task Hostile_file_names_reach_the_command_as_one_intact_argument_each_and_never_run()
    {
        foreach (var name in Names) _temp.Write($"in/{name}.txt", $"content of {name}");
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_read
                foreach: { files: "in/*.txt" }
                run: 'count() { echo $#; }; count {item.path} > {out.n}; printf %s {item.path} > {out.path}; cat -- {item.path} > {out.copy}; printf %s "$WAYBILL_ITEM_PATH" > {out.env}'
                outputs: { n: n.txt, path: path.txt, copy: copy.txt, env: env.txt }
              - id: 02_all
                inputs: { all: 01_read.copy[*] }
                run: 'count() { echo $#; }; count {in.all} > {out.n}; cat {in.all} > {out.all}'
                outputs: { n: n.txt, all: all.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
        Assert.True(run.ExitCode == 0, run.All);
        var keys = new Dictionary<string, string>
        {
            ["with space"] = "with-space", ["quote'single"] = "quote-single", ["dq\"double"] = "dq-double", ["$(touch pwned)"] = "touch-pwned",
            ["new\nline"] = "new-line", ["semi;colon`touch tick`"] = "semi-colon-touch-tick", ["-dash first"] = "dash-first",
        };
        foreach (var (name, key) in keys)
        {
            var folder = _temp.Combine("out", "j", "01_read", key);
            Assert.Equal("1\n", File.ReadAllText(Path.Combine(folder, "n.txt")));
            Assert.Equal(_temp.Combine("in", name + ".txt"), File.ReadAllText(Path.Combine(folder, "path.txt")));
            Assert.Equal(_temp.Combine("in", name + ".txt"), File.ReadAllText(Path.Combine(folder, "env.txt")));
            Assert.Equal($"content of {name}", File.ReadAllText(Path.Combine(folder, "copy.txt")));
        }
        Assert.Equal($"{Names.Length}\n", File.ReadAllText(_temp.Combine("out", "j", "02_all", "n.txt")));
        Assert.Empty(Directory.GetFiles(_temp.Path, "pwned", SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(_temp.Path, "tick", SearchOption.AllDirectories));
        // Item lists and manifests escape the newline in a name rather than break their lines.
        var items = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "01_read");
        Assert.Contains("01_read[new-line]                success", items.Stdout);
        Assert.Contains("in/new\\nline.txt", items.Stdout);
        var one = await CliProcess.RunAsync(_temp.Path, "manifest", "j", "read[new-line]");
        Assert.DoesNotContain("new\nline", one.Stdout);
        Assert.Contains("  item new-line: in/new\\nline.txt (", one.Stdout);
    }

    [Fact]
    public async Task A_file_name_that_is_not_utf8_is_refused_with_the_name_and_what_to_do()
    {
        _temp.Write("in/fine.txt", "fine");
        Shell("printf 'x' > \"in/$(printf 'bad\\377\\376')\".txt");
        try
        {
            _temp.Write("waybill.yaml", """
                stages:
                  - id: 01_read
                    foreach: { files: "in/*.txt" }
                    run: cat {item.path} > {out.copy}
                    outputs: { copy: copy.txt }
                """);
            var validate = await CliProcess.RunAsync(_temp.Path, "validate", "waybill.yaml");
            Assert.Equal(2, validate.ExitCode);
            Assert.Contains("waybill.yaml:3:23: 01_read.foreach.files: ", validate.Stderr);
            Assert.Contains("matches in/*.txt but its name is not valid UTF-8", validate.Stderr);
            Assert.Contains("rename the file", validate.Stderr);
            var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j");
            Assert.Equal(2, run.ExitCode);
            Assert.False(Directory.Exists(_temp.Combine("out", "j")));
        }
        finally
        {
            // .NET cannot name this file to delete it: the shell can.
            Shell("rm -f in/bad*.txt");
        }
    }

    [Fact]
    public async Task A_values_list_above_the_item_limit_is_refused_with_the_count_and_the_variable()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                foreach: { values: [a, b, c, d, e] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
            """);
        var environment = new Dictionary<string, string> { ["WAYBILL_MAX_ITEMS"] = "3" };
        var validate = await CliProcess.RunAsync(_temp.Path, environment, "validate", "waybill.yaml");
        Assert.Equal(2, validate.ExitCode);
        Assert.Contains("waybill.yaml:3:24: 01_a.foreach.values: 01_a foreach gives 5 items, more than the limit of 3", validate.Stderr);
        Assert.Contains("WAYBILL_MAX_ITEMS", validate.Stderr);
        var within = await CliProcess.RunAsync(_temp.Path, new Dictionary<string, string> { ["WAYBILL_MAX_ITEMS"] = "5" }, "validate", "waybill.yaml");
        Assert.True(within.ExitCode == 0, within.All);
    }

    [Fact]
    public async Task A_gather_list_refuses_a_path_with_a_newline_and_names_it_while_the_items_succeed()
    {
        _temp.Write("waybill.yaml", """
            stages:
              - id: 01_a
                foreach: { values: [a, b] }
                run: echo {item.value} > {out.x}
                outputs: { x: x.txt }
              - id: 02_all
                inputs: { all: 01_a.x[*] }
                run: cat {in.all.list} > {out.y}
                outputs: { y: y.txt }
            """);
        var run = await CliProcess.RunAsync(_temp.Path, "run", "waybill.yaml", "--job-id", "j", "--out", "o\nut");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("o\\u000aut/j/01_a/a/x.txt has a newline in its name, so it cannot be listed one per line in {in.all.list}", run.Stdout);
        Assert.Contains("use {in.all}", run.Stdout);
        Assert.True(File.Exists(_temp.Combine("o\nut", "j", "01_a", "b", "x.txt")));
    }

    private void Shell(string command)
    {
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = _temp.Path, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
