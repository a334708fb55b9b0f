namespace Waybill.Core.Reports;

/// <summary>The report page's stylesheet and script, embedded in the assembly (report.css, report.js beside this file).</summary>
internal static class ReportAssets
{
    public static string Style { get; } = Read("report/report.css");
    public static string Script { get; } = Read("report/report.js");

    private static string Read(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded in {typeof(ReportAssets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
