using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Python;

/// <summary>
/// The Python client's own unittest suites (clients/python/tests), one test case per module, so that they count in the
/// totals and a failure fails the build. Their scratch folders go under a TempFolder (TMPDIR), removed afterwards.
/// </summary>
public sealed class PythonClientUnitTests
{
    public static TheoryData<string> Modules()
    {
        var modules = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(Python.ClientRoot, "tests"), "test_*.py").Order(StringComparer.Ordinal))
            modules.Add(Path.GetFileNameWithoutExtension(file));
        return modules;
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public async Task The_unittest_module_passes(string module)
    {
        using var temp = new TempFolder();
        var run = await Python.RunAsync(Python.ClientRoot, new Dictionary<string, string> { ["TMPDIR"] = temp.Path },
            "-m", "unittest", "-v", "tests." + module);
        Assert.True(run.ExitCode == 0, run.All);
        // unittest writes "Ran N tests" and "OK" on stderr; a module whose tests were all skipped or none found fails here.
        Assert.Matches(@"Ran [1-9]\d* tests?", run.Stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }
}
