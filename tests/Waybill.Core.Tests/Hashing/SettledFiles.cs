using Waybill.Core.Execution;
using Waybill.Tests.Support;

namespace Waybill.Core.Tests.Checksums;

/// <summary>
/// Files last changed more than <see cref="ChecksumCache.RacyWindow"/> ago, so a later run trusts their
/// cache entries: made once per test class, because it costs a wait of over two seconds. Tests only read them.
/// </summary>
public sealed class SettledFiles : IDisposable
{
    private readonly TempFolder _temp = new();

    public SettledFiles()
    {
        Paths = [.. Enumerable.Range(0, 6).Select(i => _temp.Write($"settled-{i}.txt", $"settled content {i} " + new string('x', i * 100)))];
        Thread.Sleep(ChecksumCache.RacyWindow + TimeSpan.FromMilliseconds(200));
    }

    public IReadOnlyList<string> Paths { get; }

    public void Dispose() => _temp.Dispose();
}
