using System.Collections.Concurrent;
using Waybill.Core.Manifests;

namespace Waybill.Core.Execution;

/// <summary>
/// The version commands a result cache record may have run again before its entry is restored: those the stage declares
/// now, and those a stage's own code registered in this run (<see cref="StageContext.SetToolVersion"/>). A cache folder
/// may be shared, so a record is data, never code: an entry whose record names any other command is out of date, and the
/// command is not run.
/// </summary>
internal sealed class TrustedVersionCommands
{
    private readonly ConcurrentDictionary<string, byte> _registered = new(StringComparer.Ordinal);

    /// <summary>Takes the commands a stage run's fingerprint holds: its declared tools and those its code registered.</summary>
    public void Learn(StageManifest manifest)
    {
        if (manifest.Fingerprint is not { } fingerprint) return;
        foreach (var command in fingerprint.ToolCommands.Values) _registered.TryAdd(command, 0);
    }

    public bool Allows(Pipeline.StageDefinition stage, string command) =>
        stage.Tools.Values.Contains(command, StringComparer.Ordinal) || _registered.ContainsKey(command);
}
