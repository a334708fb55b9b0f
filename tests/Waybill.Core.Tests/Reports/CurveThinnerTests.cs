using Waybill.Core.Reports;
using Xunit;

namespace Waybill.Core.Tests.Reports;

/// <summary>Rows thinned into a bounded number of points as they arrive, whatever their count.</summary>
public sealed class CurveThinnerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(120)]
    [InlineData(121)]
    [InlineData(1_201)]
    [InlineData(100_000)]
    public void Any_number_of_rows_becomes_at_most_the_allowed_points_with_their_means_and_rates(int rows)
    {
        var thinner = new CurveThinner();
        // One row a second: CPU alternates 0 and 100, 1 MiB read a second, GPU not measured.
        for (var i = 1; i <= rows; i++) thinner.Add([i, i % 2 * 100, 50, i * 1048576.0, null, null, null]);

        var curves = thinner.Curves();

        Assert.Equal(rows, curves.Rows);
        Assert.InRange(curves.Elapsed.Count, 1, ReportLimits.CurvePoints);
        Assert.Equal(rows, curves.Elapsed[^1]);
        Assert.Equal(curves.Elapsed.Order(), curves.Elapsed);
        // Once thinned, each point but the last averages an even run of rows: half at 0, half at 100.
        if (rows > ReportLimits.CurvePoints) Assert.All(curves.CpuPercent.SkipLast(1), v => Assert.Equal(50, v!.Value, 0.5));
        Assert.All(curves.RssMb, v => Assert.Equal(50, v));
        Assert.All(curves.ReadRate, v => Assert.Equal(1048576, v!.Value, 1));
        Assert.All(curves.WriteRate, v => Assert.Null(v));
        Assert.All(curves.GpuPercent, v => Assert.Null(v));
    }
}
