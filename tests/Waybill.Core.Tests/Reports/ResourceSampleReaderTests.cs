using Waybill.Core.Reports;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Reports;

public sealed class ResourceSampleReaderTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Columns_are_found_by_name_empty_cells_are_gaps_and_cumulative_bytes_become_rates()
    {
        var path = _temp.Write("resource_samples.tsv", """
            elapsed_seconds	cpu_percent	rss_mb	read_bytes	write_bytes	gpu_percent	gpu_memory_mb
            1	50	100	1000	0		
            2	150.5	120	3000	500		
            3		130	3000	1500		

            """);

        var curves = ResourceSampleReader.Read(path, out var problem);

        Assert.Null(problem);
        Assert.NotNull(curves);
        Assert.Equal(3, curves.Rows);
        Assert.Equal([1, 2, 3], curves.Elapsed);
        Assert.Equal([50, 150.5, null], curves.CpuPercent);
        Assert.Equal([100, 120, 130], curves.RssMb);
        Assert.Equal([1000, 2000, 0], curves.ReadRate);
        Assert.Equal([0, 500, 1000], curves.WriteRate);
        Assert.All(curves.GpuPercent, v => Assert.Null(v));
    }

    [Fact]
    public void A_long_file_is_thinned_to_a_bounded_number_of_points_by_averaging()
    {
        var rows = Enumerable.Range(1, 10_000).Select(i => $"{i}\t{i % 2 * 100}\t{i}");
        var path = _temp.Write("resource_samples.tsv", "elapsed_seconds\tcpu_percent\trss_mb\n" + string.Join('\n', rows) + "\n");

        var curves = ResourceSampleReader.Read(path, out _)!;

        Assert.Equal(10_000, curves.Rows);
        Assert.True(curves.Elapsed.Count <= ReportLimits.CurvePoints);
        Assert.Equal(10_000, curves.Elapsed[^1]);
        Assert.All(curves.CpuPercent, v => Assert.Equal(50, v!.Value, 0.5)); // alternating 0 and 100
        Assert.All(curves.ReadRate, v => Assert.Null(v)); // no such column
    }

    [Fact]
    public void A_bad_cell_is_named_with_its_line_and_column_and_nothing_is_drawn()
    {
        var path = _temp.Write("resource_samples.tsv", "elapsed_seconds\tcpu_percent\n1\t5\n2\tlots\n");

        var curves = ResourceSampleReader.Read(path, out var problem);

        Assert.Null(curves);
        Assert.Equal("samples not drawn: resource_samples.tsv line 3, column cpu_percent: 'lots' is not a number", problem);
    }

    [Fact]
    public void A_missing_file_or_one_without_rows_says_so()
    {
        Assert.Null(ResourceSampleReader.Read(_temp.Combine("gone.tsv"), out var missing));
        Assert.Equal("no samples: the manifest names gone.tsv, which is not there", missing);
        Assert.Null(ResourceSampleReader.Read(_temp.Write("empty.tsv", "elapsed_seconds\tcpu_percent\n"), out var empty));
        Assert.Equal("no samples: empty.tsv has no rows", empty);
    }
}
