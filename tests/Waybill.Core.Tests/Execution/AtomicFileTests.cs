using Waybill.Core.IO;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Execution;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Replacing_a_file_leaves_no_temporary_files_and_readers_see_whole_content()
    {
        var path = _temp.Combine("manifest.json");
        var stop = false;
        var seen = new List<string>();
        AtomicFile.WriteAllText(path, new string('a', 100_000));
        var reader = Task.Run(() =>
        {
            while (!Volatile.Read(ref stop)) seen.Add(File.ReadAllText(path));
        });
        for (var i = 0; i < 200; i++) AtomicFile.WriteAllText(path, new string(i % 2 == 0 ? 'b' : 'a', 100_000));
        Volatile.Write(ref stop, true);
        await reader;
        Assert.All(seen, text => Assert.True(text.Length == 100_000 && text.Distinct().Count() == 1, "a reader saw a partly written file"));
        Assert.Equal(["manifest.json"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }
}
