using System.Runtime.InteropServices;
using System.Text;

namespace Waybill.Core.Processes;

/// <summary>Marshals the path, working directory, argv and envp of a spawn into one native block.</summary>
internal static unsafe class NativeArguments
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Returns a single NativeMemory allocation (free it with <see cref="NativeMemory.Free"/>) holding the
    /// null-terminated argv and envp pointer arrays followed by every NUL-terminated UTF-8 string they point to.
    /// One allocation keeps per-spawn overhead low and makes freeing trivially leak-free.
    /// </summary>
    public static byte* Build(
        string executable,
        ProcessSpec spec,
        out byte* path,
        out byte* workingDirectory,
        out byte** argv,
        out byte** envp)
    {
        var arguments = spec.Arguments;
        var environment = spec.Environment;
        var hasWorkingDirectory = spec.WorkingDirectory.Length > 0;

        nuint stringBytes = Size(executable) + Size(spec.FileName);
        if (hasWorkingDirectory)
        {
            stringBytes += Size(spec.WorkingDirectory);
        }

        for (var i = 0; i < arguments.Count; i++)
        {
            stringBytes += Size(arguments[i]);
        }

        var environmentCount = 0;
        foreach (var (key, value) in environment)
        {
            stringBytes += Size(key) + Size(value);
            environmentCount++;
        }

        var argvCount = 1 + arguments.Count;
        var pointerBytes = (nuint)(argvCount + 1 + environmentCount + 1) * (nuint)sizeof(byte*);
        var block = (byte*)NativeMemory.Alloc(pointerBytes + stringBytes);
        try
        {
            var end = block + pointerBytes + stringBytes;
            argv = (byte**)block;
            envp = argv + argvCount + 1;
            var cursor = block + pointerBytes;

            path = cursor;
            cursor = Put(executable, cursor, end);
            workingDirectory = null;
            if (hasWorkingDirectory)
            {
                workingDirectory = cursor;
                cursor = Put(spec.WorkingDirectory, cursor, end);
            }

            argv[0] = cursor;
            cursor = Put(spec.FileName, cursor, end);
            for (var i = 0; i < arguments.Count; i++)
            {
                argv[i + 1] = cursor;
                cursor = Put(arguments[i], cursor, end);
            }

            argv[argvCount] = null;

            var index = 0;
            foreach (var (key, value) in environment)
            {
                if (index == environmentCount)
                {
                    break;
                }

                envp[index++] = cursor;
                cursor = Put(key, cursor, end);

                // Put wrote a NUL after the key; "key=value" overwrites it with '='.
                cursor[-1] = (byte)'=';
                cursor = Put(value, cursor, end);
            }

            envp[index] = null;
            return block;
        }
        catch
        {
            // Only arguments or environment mutated while being read can get here.
            NativeMemory.Free(block);
            throw;
        }
    }

    // Each string costs its UTF-8 bytes plus a terminator; for "key=value" the key's terminator becomes '='.
    private static nuint Size(string value) => (nuint)Utf8.GetByteCount(value) + 1;

    private static byte* Put(string value, byte* cursor, byte* end)
    {
        var written = Utf8.GetBytes(value, new Span<byte>(cursor, checked((int)(end - cursor))));
        cursor[written] = 0;
        return cursor + written + 1;
    }
}
