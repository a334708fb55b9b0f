using Waybill.Core.Execution;
using Waybill.Core.Pipeline;
using Waybill.Tests.Support;
using Xunit;

namespace Waybill.Core.Tests.Secrets;

/// <summary>The values a run masks: a secret in the pipeline's config and one in a stage's own config alike.</summary>
public sealed class RunSecretsTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Secrets_under_secret_names_in_the_pipeline_s_config_and_in_a_stage_s_own_are_masked()
    {
        var file = _temp.Write("waybill.yaml", """
            config:
              api_token: pipeline-wide-7f3a
              model: small
            stages:
              - id: 01_plain
                run: "true"
              - id: 02_own
                config: { password: stage-own-91bc, size: 3 }
                run: "true"
              - id: 03_last
                run: "true"
            """);
        var redactor = PipelineRunner.SecretsOf(PipelineFileLoader.Load(file));

        Assert.Equal("a *** b *** c small", redactor.Redact("a pipeline-wide-7f3a b stage-own-91bc c small"));
    }
}
