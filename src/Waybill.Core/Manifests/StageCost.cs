namespace Waybill.Core.Manifests;

/// <summary>
/// What a stage run (or a whole job) cost under the run's rate card: one line per priced unit, and their total.
/// </summary>
public sealed class StageCost
{
    /// <summary>The rate card's currency (ISO 4217 code, <c>USD</c> unless the card names another).</summary>
    public string Currency { get; set; } = "USD";
    /// <summary>The sum of <see cref="Lines"/>' amounts.</summary>
    public double Total { get; set; }
    public List<CostLine> Lines { get; set; } = [];
}
