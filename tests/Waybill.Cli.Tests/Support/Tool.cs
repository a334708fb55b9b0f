using Waybill.Tests.Support;

namespace Waybill.Cli.Tests.Support;

/// <summary>Runs a helper program (ffmpeg, ffprobe) for a test and returns its stdout; a failure fails the test.</summary>
public static class Tool
{
    public static string Run(string program, params string[] arguments) => HelperProgram.Run(program, arguments);

    /// <summary>ffmpeg quietly, overwriting.</summary>
    public static void Ffmpeg(params string[] arguments) => Run("ffmpeg", ["-nostdin", "-y", "-v", "error", .. arguments]);
}
