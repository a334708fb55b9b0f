using Waybill.Core.Secrets;
using Xunit;

namespace Waybill.Core.Tests.Logging;

public sealed class RedactorTests
{
    [Theory]
    [InlineData("TMDB_API_KEY", true)]
    [InlineData("api_key", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("client_secret", true)]
    [InlineData("db_password", true)]
    [InlineData("model", false)]
    [InlineData("PATH", false)]
    [InlineData("max_tokens", false)]
    [InlineData("keyframes", false)]
    [InlineData("access_token", true)]
    public void Secret_names_are_recognised(string name, bool secret) => Assert.Equal(secret, Redactor.IsSecretName(name));

    [Fact]
    public void The_longest_secret_is_masked_whole()
    {
        var redactor = new Redactor();
        redactor.Add("abcd");
        redactor.Add("abcdefgh");
        Assert.Equal("x *** y ***", redactor.Redact("x abcdefgh y abcd"));
    }

    [Fact]
    public void Very_short_values_are_not_treated_as_secrets()
    {
        var redactor = new Redactor();
        redactor.Add("1");
        Assert.Equal("stage 1 of 12", redactor.Redact("stage 1 of 12"));
        Assert.False(redactor.HasSecrets);
    }
}
