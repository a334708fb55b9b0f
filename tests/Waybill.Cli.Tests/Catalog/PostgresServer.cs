using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Cli.Tests.Catalog;

/// <summary>
/// A private PostgreSQL server for the catalog tests: a cluster made by initdb under the repository's .build/, listening
/// on a free port of 127.0.0.1 only (no socket file anywhere), stopped and deleted afterwards (in the postgres user's
/// home when that user cannot reach the checkout). As root it runs as the
/// postgres user, which PostgreSQL requires. When it cannot start, the tests fail and say why; they are never skipped.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private string _data = "";
    private string _bin = "";

    public int Port { get; private set; }

    /// <summary>A new, empty database on the server, as the postgres:// URL the CLI takes.</summary>
    public string NewDatabase()
    {
        var name = "catalog_" + Guid.NewGuid().ToString("N")[..12];
        using var source = NpgsqlDataSource.Create($"Host=127.0.0.1;Port={Port};Username=waybill;Database=postgres;Pooling=false");
        using var command = source.CreateCommand($"CREATE DATABASE {name}");
        command.ExecuteNonQuery();
        return $"postgres://waybill@127.0.0.1:{Port}/{name}";
    }

    public async ValueTask InitializeAsync()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault() ?? ""
            : "";
        if (_bin.Length == 0)
            throw new InvalidOperationException("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): scripts/setup.sh installs it");
        var root = Path.Combine(RepositoryRoot.Required, ".build", "postgres-tests");
        _data = Path.Combine(root, Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_data);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "-R", "postgres:postgres", _data);
            // A checkout the postgres user cannot reach (under a home folder closed to others): its own home instead.
            if (!await SucceedsAsync("runuser", "-u", "postgres", "--", "test", "-w", _data))
            {
                Directory.Delete(_data);
                _data = Path.Combine("/var/lib/postgresql", "waybill-tests-" + Guid.NewGuid().ToString("N")[..12]);
                await RunAsync("runuser", "-u", "postgres", "--", "mkdir", "-p", _data);
            }
        }
        await RunPostgresAsync("initdb", "-D", _data, "-U", "waybill", "--auth=trust", "-E", "UTF8", "--no-sync");
        // A free port can be taken by another test (of this project or of the two beside it) between the probe and the
        // server's bind: try again with a new one, as HttpTestServer does. The probe comes after initdb, which takes seconds.
        for (var attempt = 0; ; attempt++)
        {
            Port = FreePort();
            try
            {
                await RunPostgresAsync("pg_ctl", "-D", _data, "-l", Path.Combine(_data, "server.log"), "-w", "-t", "60", "-o",
                    $"-c listen_addresses=127.0.0.1 -c port={Port} -c unix_socket_directories='' -c fsync=off", "start");
                return;
            }
            catch (InvalidOperationException e) when (attempt < 5 && e.Message.Contains("Address already in use", StringComparison.Ordinal))
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_data, "postmaster.pid"))) await RunPostgresAsync("pg_ctl", "-D", _data, "-m", "fast", "-w", "stop");
        }
        finally
        {
            if (Directory.Exists(_data)) Directory.Delete(_data, recursive: true);
            var parent = Path.GetDirectoryName(_data)!;
            if (parent.EndsWith("postgres-tests", StringComparison.Ordinal) && Directory.Exists(parent)
                && !Directory.EnumerateFileSystemEntries(parent).Any())
                Directory.Delete(parent);
        }
    }

    private Task RunPostgresAsync(string tool, params string[] args) =>
        Environment.UserName == "root"
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. args])
            : RunAsync(Path.Combine(_bin, tool), args);

    private async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_data, "server.log");
            var server = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
            throw new InvalidOperationException($"the test PostgreSQL server could not be set up: {program} {string.Join(' ', args)} exited with "
                + $"{process.ExitCode}: {await stdout}{await stderr}{server}");
        }
    }

    private static async Task<bool> SucceedsAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
