using System.Runtime.InteropServices;
using Whisper.net;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Facts about the whisper.cpp library Whisper.net loaded: its version, the CPU features it was built to use (its
/// system info string), and the languages it knows. The library is loaded on first use, from
/// <c>runtimes/linux-x64/</c> beside the program (both the JIT and the native build put it there).
/// </summary>
public static class WhisperRuntime
{
    private static readonly Lazy<HashSet<string>> KnownLanguages =
        new(() => new HashSet<string>(WhisperFactory.GetSupportedLanguages(), StringComparer.OrdinalIgnoreCase));

    /// <summary>The Whisper.net package version (it pins the whisper.cpp inside Whisper.net.Runtime).</summary>
    public static string BindingVersion =>
        typeof(WhisperFactory).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "unknown";

    /// <summary>whisper.cpp's system info: <c>WHISPER : COREML = 0 | … | CPU : SSE3 = 1 | AVX = 1 | …</c>.</summary>
    public static string SystemInfo() => (WhisperFactory.GetRuntimeInfo() ?? "").Trim().TrimEnd('|').Trim();

    /// <summary>The features the system info marks as on (<c>AVX2</c>, <c>FMA</c>, <c>OPENMP</c>, …), in its order.</summary>
    public static IReadOnlyList<string> Features(string systemInfo) =>
        [.. systemInfo.Split('|').Select(p => p.Split('=')).Where(p => p.Length == 2 && p[1].Trim() == "1")
            .Select(p => p[0].Split(':')[^1].Trim()).Where(f => f.Length > 0)];

    /// <summary>True for a language code whisper.cpp knows (<c>en</c>, <c>de</c>, <c>yue</c>, …).</summary>
    public static bool KnowsLanguage(string code) => KnownLanguages.Value.Contains(code);

    public static IEnumerable<string> Languages => KnownLanguages.Value.Order(StringComparer.Ordinal);

    /// <summary>whisper.cpp's own version (<c>whisper_version()</c>) from the library Whisper.net loaded, or null when it cannot be asked.</summary>
    public static string? LibraryVersion(string? loadedFrom)
    {
        var path = loadedFrom ?? Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeFolder, "libwhisper.so");
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out var handle)) return null;
        try
        {
            if (!NativeLibrary.TryGetExport(handle, "whisper_version", out var export)) return null;
            unsafe
            {
                var version = ((delegate* unmanaged[Cdecl]<nint>)export)();
                return Marshal.PtrToStringUTF8(version);
            }
        }
        finally
        {
            NativeLibrary.Free(handle); // the library stays loaded: Whisper.net holds its own handle
        }
    }

    private static string RuntimeFolder => RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
}
