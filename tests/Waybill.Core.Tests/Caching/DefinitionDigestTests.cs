using Waybill.Core.Caching;
using Waybill.Core.Pipeline;
using Waybill.Core.Secrets;
using Xunit;

namespace Waybill.Core.Tests.Caching;

/// <summary>
/// Every stage manifest records its stage's definition digest, and a rerun compares the digest it computes with it: a
/// digest made from another text or written another way would run every stage of every existing job again. The values
/// below are the ones the engine recorded when these definitions were first digested.
/// </summary>
public sealed class DefinitionDigestTests
{
    private static PipelineDefinition Load(string checksum) => PipelineFileLoader.Parse($"""
        checksum: {checksum}
        config: {"{"} size: 3 {"}"}
        env: {"{"} B: two, A: one, API_TOKEN: hidden {"}"}
        stages:
          - id: 01_make
            run: make {"{config.size}"} > {"{out.b}"}
            inputs: {"{"} z: data/z.txt, a: data/a.txt {"}"}
            outputs: {"{"} b: b.txt, a: a.txt {"}"}
            env: {"{"} C: three {"}"}
            tools: {"{"} make: make --version, cc: cc --version {"}"}
          - id: 02_each
            foreach: {"{"} values: [en, de] {"}"}
            inputs: {"{"} made: 01_make.b {"}"}
            run: echo {"{item.value}"} {"{in.made}"}
          - id: 03_plain
            run: "true"
        """, "/p/waybill.yaml");

    [Theory]
    [InlineData("xxh128", "01_make", "xxh128:08c93f8fc8e39a12430afabc4cc2acd6")]
    [InlineData("xxh128", "02_each[de]", "xxh128:e0aa7ae9534e97498b2ad43eaa32c1cb")]
    [InlineData("xxh128", "03_plain", "xxh128:5825763f12400d623b060c46162dcf4e")]
    [InlineData("sha256", "01_make", "sha256:d4a2bd79baf1819afe314a503fad302908490c792c71e58c4fb802bd43ba83e5")]
    [InlineData("sha256", "03_plain", "sha256:ea02e9f6a08697b3f3f6cf2ccbac041a05718247798174196a33a96ab6d6c408")]
    public void A_stage_s_definition_digest_is_the_one_earlier_runs_recorded(string checksum, string stageId, string recorded)
    {
        var pipeline = Load(checksum);
        var stage = pipeline.Find(stageId)!;
        Assert.Equal(recorded, StageFingerprinter.DefinitionDigest(pipeline, stage, new Redactor(), codeVersion: null));
    }
}
