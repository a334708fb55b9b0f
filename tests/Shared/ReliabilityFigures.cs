namespace Waybill.Tests.Support;

/// <summary>
/// Figures a reliability test measured (kills survived, fuzz cases run, limits hit), kept for docs/reliability.md:
/// each figure is one small file under <c>.build/reliability/</c>, which <c>scripts/reliability-report.sh</c> (run by
/// <c>scripts/test.sh</c>) renders into the figures table. One file per figure, so parallel test processes never share one.
/// </summary>
public static class ReliabilityFigures
{
    /// <summary>Records <paramref name="value"/> under <paramref name="name"/> (a short sentence such as "SIGKILL trials resumed").</summary>
    public static void Record(string name, string value)
    {
        var root = RepositoryRoot.Find();
        if (root is null) return;
        var folder = Path.Combine(root, ".build", "reliability");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, string.Concat(name.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')) + ".txt");
        File.WriteAllText(file + ".tmp", name + "\t" + value + "\n");
        File.Move(file + ".tmp", file, overwrite: true);
    }
}
