using Waybill.Cli.Tests.Support;
using Waybill.Core.Execution;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Python;

/// <summary>
/// The engine carries the Python client inside it and writes it into the job once per run, first on PYTHONPATH, so that
/// <c>import waybill</c> works in any command stage without an install; a stage that is not Python pays nothing per stage.
/// </summary>
public sealed class BundledClientTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Package(string job = "j") => _temp.Combine("out", job, ".waybill", "python", "waybill");

    private async Task<CliProcess.Result> RunAsync(string pipeline, string job = "j", params string[] more)
    {
        _temp.Write("waybill.yaml", pipeline);
        return await CliProcess.RunAsync(_temp.Path, ["run", "waybill.yaml", "--out", "out", "--job-id", job, .. more]);
    }

    [Fact]
    public void The_engine_embeds_exactly_the_client_sources_of_the_checkout()
    {
        var sources = Directory.GetFiles(Path.Combine(Python.ClientRoot, "waybill"), "*.py")
            .ToDictionary(p => Path.GetFileName(p), File.ReadAllBytes, StringComparer.Ordinal);
        Assert.Contains("__init__.py", sources.Keys);
        Assert.Equal(sources.Keys.Order(StringComparer.Ordinal), PythonClient.Files.Keys);
        foreach (var (name, content) in sources) Assert.True(content.AsSpan().SequenceEqual(PythonClient.Files[name]), name);
    }

    [Fact]
    public async Task A_command_stage_imports_the_bundled_client_first_and_keeps_the_stages_own_PYTHONPATH_after_it()
    {
        var run = await RunAsync("""
            stages:
              - id: 01_py
                env: { PYTHONPATH: /opt/site-one }
                run: python3 -c 'import os, waybill; print(waybill.__file__); print(os.environ["PYTHONPATH"])' > {out.where}
                outputs: { where: where.txt }
              - id: 02_plain
                inputs: { where: 01_py.where }
                run: printenv PYTHONPATH > {out.path}
                outputs: { path: path.txt }
            """);
        Assert.True(run.ExitCode == 0, run.All);
        var folder = _temp.Combine("out", "j", ".waybill", "python");
        var lines = File.ReadAllLines(_temp.Combine("out", "j", "01_py", "where.txt"));
        Assert.Equal(Path.Combine(folder, "waybill", "__init__.py"), lines[0]);
        Assert.Equal(folder + ":/opt/site-one", lines[1]);
        Assert.Equal(folder, File.ReadAllText(_temp.Combine("out", "j", "02_plain", "path.txt")).TrimEnd());
        foreach (var (name, content) in PythonClient.Files) Assert.Equal(content, File.ReadAllBytes(Path.Combine(Package(), name)));
    }

    [Fact]
    public async Task A_later_run_leaves_unchanged_files_alone_and_restores_edited_missing_and_stale_ones()
    {
        const string Pipeline = """
            stages:
              - id: 01_a
                run: echo a > {out.a}
                outputs: { a: a.txt }
            """;
        Assert.Equal(0, (await RunAsync(Pipeline)).ExitCode);
        var package = Package();
        var untouched = Path.Combine(package, "_paths.py");
        var before = Stamp(untouched);
        File.WriteAllText(Path.Combine(package, "stage_io.py"), "raise ImportError('edited')\n");
        File.Delete(Path.Combine(package, "_channel.py"));
        File.WriteAllText(Path.Combine(package, "_removed_module.py"), "# from an older Waybill\n");

        var run = await RunAsync(Pipeline, "j", "--force", "01_a");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(before, Stamp(untouched));
        Assert.Equal(PythonClient.Files["stage_io.py"], File.ReadAllBytes(Path.Combine(package, "stage_io.py")));
        Assert.Equal(PythonClient.Files["_channel.py"], File.ReadAllBytes(Path.Combine(package, "_channel.py")));
        Assert.False(File.Exists(Path.Combine(package, "_removed_module.py")));
        Assert.Empty(Directory.GetFiles(package, ".*"));
    }

    [Fact]
    public async Task A_link_in_place_of_the_client_folder_is_replaced_never_written_through()
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(_temp.Combine("out", "j", ".waybill"));
        File.CreateSymbolicLink(_temp.Combine("out", "j", ".waybill", "python"), outside);
        var run = await RunAsync("""
            stages:
              - id: 01_py
                run: python3 -c 'import waybill' && echo ok > {out.ok}
                outputs: { ok: ok.txt }
            """);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Null(new DirectoryInfo(_temp.Combine("out", "j", ".waybill", "python")).LinkTarget);
        Assert.True(File.Exists(Path.Combine(Package(), "__init__.py")));
    }

    [Fact]
    public async Task A_run_without_command_stages_writes_no_client()
    {
        _temp.Write("in.txt", "x\n");
        var run = await RunAsync("""
            stages:
              - id: 01_copy
                uses: copy
                inputs: { text: in.txt }
                outputs: { copy: copy.txt }
            """);
        Assert.True(run.ExitCode == 0, run.All);
        Assert.False(Directory.Exists(_temp.Combine("out", "j", ".waybill", "python")));
    }

    private static (long Inode, DateTime Written) Stamp(string path)
    {
        var info = new FileInfo(path);
        // A rewrite goes through a new temp file and a rename: a new inode number, which the ctime tick cannot hide.
        return (Inode(path), info.LastWriteTimeUtc);
    }

    private static long Inode(string path) =>
        long.Parse(Tool.Run("stat", "-c", "%i", path).Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
