using System.Runtime.InteropServices;

namespace Waybill.Cli.Commands.StageVerbs;

/// <summary>
/// Appends whole lines to the stage channel the way the protocol asks (docs/stage-protocol.md): opened with
/// O_WRONLY|O_APPEND|O_CREAT (mode 0600) and written with one write(2), so lines from concurrent writers never
/// interleave. .NET's own append mode writes at an offset it remembers, which two writers would overwrite: hence libc.
/// </summary>
internal static partial class ChannelAppend
{
    private const int OWronly = 0x1;
    private const int OCreat = 0x40;
    private const int OAppend = 0x400;
    private const int OCloexec = 0x80000;
    private const int Mode0600 = 0x180;
    private const int Eintr = 4;

    public static void Write(string path, byte[] lines)
    {
        var fd = Open(path, OWronly | OCreat | OAppend | OCloexec, Mode0600);
        if (fd < 0) throw Failure("cannot open", path);
        try
        {
            var written = 0;
            while (written < lines.Length)
            {
                var count = WriteBytes(fd, ref lines[written], lines.Length - written);
                if (count < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Eintr) continue;
                    throw Failure("cannot write to", path);
                }
                // A regular file takes the whole line at once; only a full disk or a signal stops a write short.
                written += (int)count;
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    private static CliException Failure(string what, string path) =>
        new($"waybill stage: {what} the stage channel {path}: {Marshal.GetLastPInvokeErrorMessage()}",
            "the channel's folder is made by the engine when the stage starts; is this stage still running?", ExitCodes.IoError);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteBytes(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
