namespace Waybill.Core.Reports;

/// <summary>
/// Thins sample rows into at most <see cref="ReportLimits.CurvePoints"/> points as they are read, so a long file never
/// stands in memory row by row: each point averages a run of neighbouring rows, and when there are more points than
/// allowed, neighbouring points are merged in pairs and each takes twice as many rows from then on. Cumulative byte
/// counters become rates (bytes per second since the row before).
/// </summary>
internal sealed class CurveThinner
{
    /// <summary>The figures averaged per point: CPU %, RSS, read rate, write rate, GPU %, GPU memory.</summary>
    private const int Figures = 6;

    private readonly List<Point> _points = [];
    private int _rowsPerPoint = 1;
    private double?[]? _previous;
    private int _rows;

    /// <summary>A row in the reader's column order: elapsed, cpu, rss, read bytes, write bytes, gpu %, gpu memory.</summary>
    public void Add(double?[] row)
    {
        var (t0, read0, write0) = _previous is { } p ? (p[0]!.Value, p[3], p[4]) : (0d, (double?)0, (double?)0);
        var span = row[0]!.Value - t0;
        double?[] figures = [row[1], row[2], Rate(read0, row[3], span), Rate(write0, row[4], span), row[5], row[6]];
        _previous = row;
        _rows++;
        if (_points.Count == 0 || _points[^1].Rows == _rowsPerPoint) _points.Add(new Point());
        _points[^1].Add(row[0]!.Value, figures);
        if (_points.Count > ReportLimits.CurvePoints) MergePairs();
    }

    public ResourceCurves Curves()
    {
        var curves = new ResourceCurves { Rows = _rows };
        foreach (var point in _points)
        {
            curves.Elapsed.Add(point.Elapsed);
            curves.CpuPercent.Add(point.Mean(0));
            curves.RssMb.Add(point.Mean(1));
            curves.ReadRate.Add(point.Mean(2));
            curves.WriteRate.Add(point.Mean(3));
            curves.GpuPercent.Add(point.Mean(4));
            curves.GpuMemoryMb.Add(point.Mean(5));
        }
        return curves;
    }

    private void MergePairs()
    {
        var merged = new List<Point>((_points.Count + 1) / 2);
        for (var i = 0; i < _points.Count; i += 2)
        {
            if (i + 1 < _points.Count) _points[i].Absorb(_points[i + 1]);
            merged.Add(_points[i]);
        }
        _points.Clear();
        _points.AddRange(merged);
        _rowsPerPoint *= 2;
    }

    private static double? Rate(double? before, double? now, double seconds) =>
        before is { } b && now is { } n && seconds > 0 ? Math.Max(0, n - b) / seconds : null;

    /// <summary>Sums and counts of each figure over the rows of one point; its time is that of its last row.</summary>
    private sealed class Point
    {
        private readonly double[] _sums = new double[Figures];
        private readonly int[] _counts = new int[Figures];

        public int Rows { get; private set; }
        public double Elapsed { get; private set; }

        public void Add(double elapsed, double?[] figures)
        {
            Rows++;
            Elapsed = elapsed;
            for (var f = 0; f < Figures; f++)
            {
                if (figures[f] is not { } value) continue;
                _sums[f] += value;
                _counts[f]++;
            }
        }

        public void Absorb(Point later)
        {
            Rows += later.Rows;
            Elapsed = later.Elapsed;
            for (var f = 0; f < Figures; f++)
            {
                _sums[f] += later._sums[f];
                _counts[f] += later._counts[f];
            }
        }

        public double? Mean(int figure) => _counts[figure] == 0 ? null : _sums[figure] / _counts[figure];
    }
}
