using Waybill.Core.Text;

namespace Waybill.Media.Models;

/// <summary>The models a command can name: the built-in registry plus those of a registry file (WAYBILL_MODEL_REGISTRY).</summary>
public sealed class ModelCatalog
{
    private ModelCatalog(IReadOnlyList<KnownModel> models) => Models = models;

    public IReadOnlyList<KnownModel> Models { get; }

    public static ModelCatalog BuiltIn { get; } = new(ModelRegistry.All);

    /// <summary>The built-in models, plus those of the registry file at <paramref name="registryPath"/> when one is named.</summary>
    /// <exception cref="ModelRegistryException">The registry file is missing or malformed.</exception>
    public static ModelCatalog With(string? registryPath) =>
        string.IsNullOrWhiteSpace(registryPath)
            ? BuiltIn
            : new ModelCatalog([.. ModelRegistry.All, .. ModelRegistryFile.Load(ModelFolder.ExpandHome(registryPath.Trim()))]);

    /// <summary>
    /// The model an id names: <c>whisper:base.en</c>, or a bare name (<c>base.en</c>) that only one model has.
    /// </summary>
    /// <exception cref="UnknownModelException">No model has that id; the message lists the known ids, closest first.</exception>
    public KnownModel Resolve(string id)
    {
        var exact = Models.FirstOrDefault(m => string.Equals(m.Id, id, StringComparison.Ordinal));
        if (exact is not null) return exact;
        var byName = Models.Where(m => string.Equals(m.Name, id, StringComparison.Ordinal)).ToList();
        if (byName.Count == 1) return byName[0];
        var closest = Models
            .OrderBy(m => Math.Min(EditDistance.Between(id, m.Id), EditDistance.Between(id, m.Name)))
            .ThenBy(m => m.Id, StringComparer.Ordinal)
            .Select(m => m.Id);
        throw new UnknownModelException($"unknown model '{id}'; known models, closest first: {string.Join(", ", closest)}",
            "'waybill models list' shows them with their sizes; WAYBILL_MODEL_REGISTRY adds your own (docs/models.md)");
    }
}
