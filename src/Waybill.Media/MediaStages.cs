using Waybill.Core.Stages;
using Waybill.Media.Stages;
using Waybill.Media.Stages.Alignment;
using Waybill.Media.Stages.Asr;
using Waybill.Media.Stages.Demux;
using Waybill.Media.Stages.Glossary;
using Waybill.Media.Stages.Hallucinations;
using Waybill.Media.Stages.Lyrics;
using Waybill.Media.Stages.Mux;
using Waybill.Media.Stages.SourceSeparation;
using Waybill.Media.Stages.Subtitles;
using Waybill.Media.Stages.Tmdb;
using Waybill.Media.Stages.Translation;
using Waybill.Media.Stages.Vad;

namespace Waybill.Media;

/// <summary>
/// The subtitle pipeline's stages, usable from a pipeline file as <c>uses: media.&lt;name&gt;</c>, with the checks of
/// their config that run when a pipeline is loaded.
/// </summary>
public static class MediaStages
{
    public static BuiltinStages AddMediaStages(this BuiltinStages registry) => registry
        .Add("media.demux", () => new DemuxStage())
        .Add("media.tmdb", () => new TmdbStage())
        .Add("media.glossary", () => new GlossaryStage())
        .Add("media.source-separation", () => new SourceSeparationStage())
        .Add("media.silero-vad", () => new SileroVadStage())
        .Add("media.asr", () => new AsrStage())
        .Add("media.alignment", () => new AlignmentStage())
        .Add("media.lyrics-detection", () => new LyricsDetectionStage())
        .Add("media.hallucination-removal", () => new HallucinationRemovalStage())
        .Add("media.translation", () => new TranslationStage())
        .Add("media.subtitles", () => new SubtitleGenerationStage())
        .Add("media.mux", () => new MuxStage())
        .AddCheck("media.source-separation", MediaConfigChecks.SourceSeparation)
        .AddCheck("media.silero-vad", MediaConfigChecks.Vad)
        .AddCheck("media.asr", AsrConfigCheck.Check)
        .AddCheck("media.subtitles", SubtitleConfigCheck.Check);
}
