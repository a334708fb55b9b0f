using System.Runtime.CompilerServices;

namespace Waybill.Core.Manifests;

/// <summary>
/// JsonSchema.Net builds every dialect and meta-schema in its module initializer, which a native build runs at each start
/// of waybill, whatever the command: 1.9 of its 11.6 ms (<c>perf</c>, <c>waybill --version</c>). The native build leaves
/// that call out (src/Waybill.Cli/JsonSchema.Net.substitutions.xml) and the first schema waybill builds makes it here;
/// where the library's initializer did run, this returns at once (it runs once).
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
