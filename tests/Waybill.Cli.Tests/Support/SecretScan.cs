using System.Text;
using Xunit;

namespace Waybill.Cli.Tests.Support;

/// <summary>Searches every file under a folder, as bytes, for secret values: none may be written down anywhere.</summary>
public static class SecretScan
{
    public static void AssertAbsent(string folder, params string[] secrets)
    {
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            foreach (var secret in secrets)
                Assert.False(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0,
                    $"{Path.GetRelativePath(folder, file)} holds the secret '{secret}'");
        }
    }
}
