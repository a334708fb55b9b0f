using Waybill.Core.Execution;
using Waybill.Core.Execution.Costs;
using Waybill.Core.Manifests;
using Waybill.Core.Pipeline.Costs;
using Xunit;

namespace Waybill.Core.Tests.Execution.Costs;

/// <summary>How a rate card prices one stage run's resources, and how a job's lines add up.</summary>
public sealed class StagePricingTests
{
    private static readonly RateCard Card = new()
    {
        Currency = "EUR",
        Rates = new Dictionary<string, double> { ["cpu_hour"] = 36, ["memory_gb_hour"] = 2, ["tokens"] = 0.000002 },
        GpuRates = new Dictionary<string, double> { ["NVIDIA H200"] = 3.5, ["default"] = 2 },
    };

    private static ResourceUsage TwoGpus(string? device) => new()
    {
        WallSeconds = 1800, CpuSeconds = 3600, PeakRssMb = 2048, GpuDevices = ["0", "1"],
        Gpu = device is null ? null : new GpuUsage { Available = true, Device = device },
        Usage = new Dictionary<string, double> { ["tokens"] = 1_000_000, ["pages"] = 12 },
    };

    [Fact]
    public void Each_measured_and_reported_unit_is_one_line_and_the_total_is_their_sum()
    {
        var cost = StagePricing.Price(Card, TwoGpus("NVIDIA H200"))!;

        Assert.Equal("EUR", cost.Currency);
        var lines = cost.Lines.ToDictionary(l => l.Unit);
        Assert.Equal((1.0, 36.0, "measured"), (lines["cpu_hour"].Quantity, lines["cpu_hour"].Amount, lines["cpu_hour"].Source));
        // 2 GiB held for half an hour.
        Assert.Equal((1.0, 2.0), (lines["memory_gb_hour"].Quantity, lines["memory_gb_hour"].Amount));
        // Two GPUs for half an hour at the H200's rate.
        Assert.Equal((1.0, 3.5, 3.5), (lines["gpu_hour"].Quantity, lines["gpu_hour"].Rate, lines["gpu_hour"].Amount));
        Assert.Equal((1_000_000.0, 2.0, "reported"), (lines["tokens"].Quantity, lines["tokens"].Amount, lines["tokens"].Source));
        // A reported unit the card does not price is recorded in resources.usage only.
        Assert.False(lines.ContainsKey("pages"));
        Assert.Equal(43.5, cost.Total);
    }

    [Fact]
    public void A_gpu_model_the_card_does_not_name_or_that_was_not_measured_takes_the_default_rate()
    {
        Assert.Equal(2, StagePricing.Price(Card, TwoGpus("NVIDIA A100"))!.Lines.Single(l => l.Unit == "gpu_hour").Rate);
        Assert.Equal(2, StagePricing.Price(Card, TwoGpus(null))!.Lines.Single(l => l.Unit == "gpu_hour").Rate);
    }

    [Fact]
    public void No_gpu_no_gpu_line_and_no_card_no_cost()
    {
        var cpuOnly = new ResourceUsage { WallSeconds = 10, CpuSeconds = 5, Requested = new RequestedResources { Gpus = 0 } };
        Assert.DoesNotContain(StagePricing.Price(Card, cpuOnly)!.Lines, l => l.Unit == "gpu_hour");
        Assert.Null(StagePricing.Price(null, cpuOnly));
    }

    [Fact]
    public void The_job_adds_up_the_stage_runs_of_this_run_and_leaves_out_those_found_up_to_date()
    {
        StageOutcome Outcome(string id, StageStatus status, string device, bool untouched = false) =>
            new(id, status, null, 1, new StageManifest
            {
                Stage = id, StageId = id, JobId = "j", RunId = "r", Kind = "command", Host = "h", WaybillVersion = "0",
                Cost = StagePricing.Price(Card, TwoGpus(device)),
            })
            { LeftUntouched = untouched };

        var job = JobCost.Sum(Card, [
            Outcome("01_a", StageStatus.Success, "NVIDIA H200"),
            Outcome("02_b", StageStatus.Failed, "NVIDIA A100"),
            Outcome("03_c", StageStatus.Skipped, "NVIDIA H200"),
            Outcome("04_d", StageStatus.Success, "NVIDIA H200", untouched: true),
        ])!;

        var gpu = job.Lines.Single(l => l.Unit == "gpu_hour");
        Assert.Equal((2.0, 5.5), (gpu.Quantity, gpu.Amount));
        // Two rates in one unit: the line shows their mean, amount over quantity.
        Assert.Equal(2.75, gpu.Rate);
        Assert.Equal(43.5 + 42, job.Total);
        Assert.Equal(["cpu_hour", "gpu_hour", "memory_gb_hour", "tokens"], job.Lines.Select(l => l.Unit));
        Assert.Null(JobCost.Sum(null, []));
    }
}
