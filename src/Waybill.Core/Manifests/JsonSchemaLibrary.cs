using System.Runtime.CompilerServices;

namespace Waybill.Core.Manifests;

/// <summary>
/// JsonSchema.Net builds every dialect and meta-schema in its module initializer, which a native build runs at each start
/// of waybill, whatever the command: 17.5% of the samples of 50 starts (<c>perf record</c>); <c>waybill --version</c>
/// took 11.6 ms with it, 7.6-8.0 ms without. The native build leaves that call out
/// (src/Waybill.Cli/JsonSchema.Net.substitutions.xml) and the first schema waybill builds makes it here; where the
/// library's initializer did run, this returns at once (it runs once).
/// </summary>
internal static class JsonSchemaLibrary
{
    public static bool Initialize()
    {
        InitializeLibrary(null);
        return true;
    }

    [UnsafeAccessor(UnsafeAccessorKind.StaticMethod, Name = "Initialize")]
    private static extern void InitializeLibrary([UnsafeAccessorType("Json.Schema.__ModuleInitialization, JsonSchema.Net")] object? library);
}
