using System.Runtime.InteropServices;
using Whisper.net;
using Whisper.net.LibraryLoader;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// Loads the whisper.cpp that Whisper.net.Runtime ships (<c>runtimes/linux-x64/</c> beside the program, in the JIT and
/// the native build alike) and answers what it is: version, the CPU features it uses, the languages it knows.
/// Waybill loads it itself rather than through Whisper.net's loader: that loader asks <c>Avx.IsSupported</c>, which
/// the native build answers false on any CPU (it is fixed when compiling), and then refuses to load at all.
/// </summary>
public static class WhisperRuntime
{
    // The order the libraries need each other in (whisper.cpp's ggml backends first).
    private static readonly string[] Dependencies = ["libggml-base-whisper.so", "libggml-cpu-whisper.so", "libggml-whisper.so"];

    // What the linux-x64 build of whisper.cpp in Whisper.net.Runtime was compiled for (its system info says so).
    private static readonly string[] RequiredX64Features = ["avx", "avx2", "fma", "f16c"];

    private static readonly Lazy<(string Path, nint Handle)> Library = new(Load);

    private static readonly Lazy<HashSet<string>> KnownLanguages = new(() =>
    {
        EnsureLoaded();
        return new HashSet<string>(WhisperFactory.GetSupportedLanguages(), StringComparer.OrdinalIgnoreCase);
    });

    /// <summary>The library file loaded; loads it on first use. <see cref="InvalidOperationException"/> says why it cannot be.</summary>
    public static string EnsureLoaded() => Library.Value.Path;

    /// <summary>The Whisper.net package version (it pins the whisper.cpp inside Whisper.net.Runtime).</summary>
    public static string BindingVersion =>
        typeof(WhisperFactory).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "unknown";

    /// <summary>whisper.cpp's system info: <c>WHISPER : COREML = 0 | … | CPU : SSE3 = 1 | AVX = 1 | …</c>.</summary>
    public static string SystemInfo()
    {
        EnsureLoaded();
        return (WhisperFactory.GetRuntimeInfo() ?? "").Trim().TrimEnd('|').Trim();
    }

    /// <summary>The features the system info marks as on (<c>AVX2</c>, <c>FMA</c>, <c>OPENMP</c>, …), in its order.</summary>
    public static IReadOnlyList<string> Features(string systemInfo) =>
        [.. systemInfo.Split('|').Select(p => p.Split('=')).Where(p => p.Length == 2 && p[1].Trim() == "1")
            .Select(p => p[0].Split(':')[^1].Trim()).Where(f => f.Length > 0)];

    /// <summary>True for a language code whisper.cpp knows (<c>en</c>, <c>de</c>, <c>yue</c>, …).</summary>
    public static bool KnowsLanguage(string code) => KnownLanguages.Value.Contains(code);

    public static IEnumerable<string> Languages => KnownLanguages.Value.Order(StringComparer.Ordinal);

    /// <summary>whisper.cpp's own version (<c>whisper_version()</c>), or null when the library does not export it.</summary>
    public static string? LibraryVersion()
    {
        if (!NativeLibrary.TryGetExport(Library.Value.Handle, "whisper_version", out var export)) return null;
        unsafe
        {
            return Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)export)());
        }
    }

    private static (string, nint) Load()
    {
        var architecture = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            var other => throw new InvalidOperationException($"whisper.cpp is shipped for x64 and arm64 Linux, not {other}"),
        };
        var folder = Path.Combine(AppContext.BaseDirectory, "runtimes", $"linux-{architecture}");
        var whisper = Path.Combine(folder, "libwhisper.so");
        if (!File.Exists(whisper))
            throw new InvalidOperationException($"whisper.cpp is not installed beside waybill: {whisper} does not exist " +
                "(the build copies it from the Whisper.net.Runtime package)");
        if (architecture == "x64" && MissingCpuFeatures() is { Count: > 0 } missing)
            throw new InvalidOperationException($"this CPU lacks {string.Join(", ", missing)}, which the whisper.cpp build Waybill ships needs; " +
                "use backend pocketsphinx");
        try
        {
            foreach (var dependency in Dependencies.Select(d => Path.Combine(folder, d)).Where(File.Exists))
                NativeLibrary.Load(dependency);
            var handle = NativeLibrary.Load(whisper);
            NativeLibrary.SetDllImportResolver(typeof(WhisperFactory).Assembly, (name, _, _) => name == "libwhisper" ? handle : 0);
            // Tells Whisper.net the library is loaded: it then calls it through its "libwhisper" imports.
            RuntimeOptions.LoadedLibrary = RuntimeLibrary.Cpu;
            return (whisper, handle);
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException($"whisper.cpp in {folder} could not be loaded: {e.Message}", e);
        }
    }

    /// <summary>The instruction sets the shipped library needs that /proc/cpuinfo does not list (none when it cannot be read).</summary>
    private static List<string> MissingCpuFeatures()
    {
        string? flags;
        try
        {
            flags = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return [];
        }
        if (flags is null) return [];
        var present = flags[(flags.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return [.. RequiredX64Features.Where(f => !present.Contains(f)).Select(f => f.ToUpperInvariant())];
    }
}
