using System.Text.RegularExpressions;

namespace Waybill.Core.Pipeline;

/// <summary>Stage ids are <c>NN_name</c>: a number that orders the job folder and a name used in logs.</summary>
public static partial class StageIds
{
    public static bool TryParse(string id, out int number, out string name)
    {
        var match = Pattern().Match(id);
        number = match.Success ? int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        name = match.Success ? match.Groups[2].Value : "";
        return match.Success;
    }

    public const string Rule = "a stage id is NN_name: two to six digits, '_', then lowercase letters, digits, '_' or '-' (e.g. 01_demux)";

    [GeneratedRegex("^([0-9]{2,6})_([a-z][a-z0-9_-]*)$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    public static partial Regex PortName();
}
