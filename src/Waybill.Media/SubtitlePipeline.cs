namespace Waybill.Media;

/// <summary>The shipped subtitle pipeline file (samples/subtitles/waybill.yaml), embedded in the assembly.</summary>
public static class SubtitlePipeline
{
    public const string FileName = "waybill.yaml";

    public static string Yaml
    {
        get
        {
            using var stream = typeof(SubtitlePipeline).Assembly.GetManifestResourceStream("Waybill.Media.subtitles.waybill.yaml")
                ?? throw new InvalidOperationException("the subtitle pipeline is missing from Waybill.Media");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }
}
