using System.Diagnostics;

namespace Waybill.Cli.Tests.Support;

/// <summary>
/// A small tmpfs mounted on a folder of the test's own, for a full or read-only file system. Mounting needs root
/// (CI runs as root): without it the test fails saying so, it is never skipped. Unmounted on dispose.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path, long sizeBytes)
    {
        Path = path;
        SizeBytes = sizeBytes;
    }

    public string Path { get; }
    public long SizeBytes { get; }

    public static Tmpfs Mount(string path, long sizeBytes)
    {
        Directory.CreateDirectory(path);
        var (code, error) = Run("mount", "-t", "tmpfs", "-o", $"size={sizeBytes}", "tmpfs", path);
        if (code != 0)
            throw new InvalidOperationException(
                $"cannot mount a tmpfs on {path} (exit {code}: {error.Trim()}): this test needs root (CI runs as root)");
        return new Tmpfs(path, sizeBytes);
    }

    public void RemountReadOnly()
    {
        var (code, error) = Run("mount", "-o", "remount,ro", Path);
        if (code != 0) throw new InvalidOperationException($"cannot remount {Path} read-only: {error.Trim()}");
    }

    public void Dispose()
    {
        // Lazy, so a process still holding a file there cannot keep the mount (and the test folder) alive.
        Run("umount", "-l", Path);
    }

    private static (int Code, string Error) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        try
        {
            using var process = Process.Start(info)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }
    }
}
