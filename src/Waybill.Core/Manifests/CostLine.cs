namespace Waybill.Core.Manifests;

/// <summary>One priced unit of a stage's cost: <c>cpu_hour</c> × 0.0021 at 0.04 per hour.</summary>
public sealed class CostLine
{
    /// <summary>The rate card's unit: <c>cpu_hour</c>, <c>memory_gb_hour</c>, <c>gpu_hour</c>, or a unit a stage reports (<c>tokens</c>).</summary>
    public required string Unit { get; set; }
    public double Quantity { get; set; }
    /// <summary>The price of one unit.</summary>
    public double Rate { get; set; }
    /// <summary><see cref="Quantity"/> × <see cref="Rate"/>.</summary>
    public double Amount { get; set; }
    /// <summary><c>measured</c> (from the stage's resources) or <c>reported</c> (a quantity the stage reported itself).</summary>
    public string? Source { get; set; }
}
