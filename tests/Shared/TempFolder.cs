namespace Waybill.Tests.Support;

/// <summary>A scratch folder per test, removed afterwards. Its name has a space and non-ASCII letters on purpose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "waybill tests", "ünïcode " + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public string Write(string relativePath, string content)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
            // The shared parent goes with the last test that used it; while another test still has a folder there, this fails.
            Directory.Delete(System.IO.Path.GetDirectoryName(Path)!);
        }
        catch (IOException)
        {
        }
    }
}
