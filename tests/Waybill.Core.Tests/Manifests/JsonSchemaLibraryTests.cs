using Waybill.Core.Manifests;
using Xunit;

namespace Waybill.Core.Tests.Manifests;

/// <summary>
/// The native build leaves JsonSchema.Net's module initializer out of the start and runs it on first use
/// (src/Waybill.Cli/JsonSchema.Net.substitutions.xml): the call must keep finding it, and nothing else may use the library
/// before it has run.
/// </summary>
public sealed class JsonSchemaLibraryTests
{
    [Fact]
    public void The_library_s_initializer_is_found_and_runs_once_however_often_it_is_asked()
    {
        // A renamed initializer in a later JsonSchema.Net throws MissingMethodException here, not in a user's verify.
        Assert.True(JsonSchemaLibrary.Initialize());
        Assert.True(JsonSchemaLibrary.Initialize());
        using var temp = new Waybill.Tests.Support.TempFolder();
        var manifest = temp.Write("manifest.json", """{"schema_version":"1.0","status":12}""");
        Assert.NotEmpty(ManifestValidator.ValidateStage(manifest));
    }

    [Fact]
    public void Only_the_manifest_validator_uses_the_schema_library()
    {
        var src = Path.Combine(Waybill.Tests.Support.RepositoryRoot.Required, "src");
        var users = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("using Json.Schema", StringComparison.Ordinal))
            .Select(Path.GetFileName);
        Assert.Equal(["ManifestValidator.cs"], users);
    }
}
