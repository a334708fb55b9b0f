using System.Runtime.InteropServices;

namespace Waybill.Media.Stages.Asr;

/// <summary>
/// The C API of PocketSphinx 5prealpha (Debian's libpocketsphinx3) and the sphinxbase calls it needs.
/// Signatures follow pocketsphinx.h and cmd_ln.h of that release; the libraries ship without headers.
/// </summary>
internal static unsafe partial class PocketSphinxNative
{
    public const string Library = "libpocketsphinx.so.3";
    public const string BaseLibrary = "libsphinxbase.so.3";

    /// <summary><c>arg_t const *ps_args(void)</c>: the decoder's option definitions.</summary>
    [LibraryImport(Library, EntryPoint = "ps_args")]
    public static partial nint Args();

    /// <summary>
    /// <c>cmd_ln_t *cmd_ln_parse_r(cmd_ln_t *inout, arg_t const *defn, int32 argc, char *argv[], int strict)</c>.
    /// The option table keeps pointers to the argv strings as its keys: they must live until <see cref="ConfigFree"/>.
    /// </summary>
    [LibraryImport(BaseLibrary, EntryPoint = "cmd_ln_parse_r")]
    public static partial nint ConfigParse(nint inout, nint definitions, int argc, byte** argv, int strict);

    [LibraryImport(BaseLibrary, EntryPoint = "cmd_ln_free_r")]
    public static partial int ConfigFree(nint config);

    /// <summary><c>void err_set_logfp(FILE *)</c>: NULL switches the library's log off for the whole process.</summary>
    [LibraryImport(BaseLibrary, EntryPoint = "err_set_logfp")]
    public static partial void SetLogFile(nint file);

    /// <summary><c>FILE *err_get_logfp(void)</c>: NULL when the log is off, stderr when none was set.</summary>
    [LibraryImport(BaseLibrary, EntryPoint = "err_get_logfp")]
    public static partial nint GetLogFile();

    [LibraryImport(BaseLibrary, EntryPoint = "logmath_exp")]
    public static partial double LogMathExp(nint logmath, int logValue);

    [LibraryImport("libc", EntryPoint = "fflush")]
    public static partial int FileFlush(nint file);

    [LibraryImport(Library, EntryPoint = "ps_init")]
    public static partial nint Init(nint config);

    [LibraryImport(Library, EntryPoint = "ps_free")]
    public static partial int Free(nint decoder);

    [LibraryImport(Library, EntryPoint = "ps_get_logmath")]
    public static partial nint GetLogMath(nint decoder);

    /// <summary>Resets the noise estimate that otherwise carries over from one utterance to the next.</summary>
    [LibraryImport(Library, EntryPoint = "ps_start_stream")]
    public static partial int StartStream(nint decoder);

    [LibraryImport(Library, EntryPoint = "ps_start_utt")]
    public static partial int StartUtterance(nint decoder);

    /// <summary><c>int ps_process_raw(ps_decoder_t *, int16 const *data, size_t n_samples, int no_search, int full_utt)</c>: frames searched, or &lt; 0.</summary>
    [LibraryImport(Library, EntryPoint = "ps_process_raw")]
    public static partial int ProcessRaw(nint decoder, short* data, nuint samples, int noSearch, int fullUtterance);

    [LibraryImport(Library, EntryPoint = "ps_end_utt")]
    public static partial int EndUtterance(nint decoder);

    /// <summary><c>char const *ps_get_hyp(ps_decoder_t *, int32 *out_best_score)</c>.</summary>
    [LibraryImport(Library, EntryPoint = "ps_get_hyp")]
    public static partial nint GetHypothesis(nint decoder, int* bestScore);

    /// <summary><c>ps_seg_t *ps_seg_iter(ps_decoder_t *, int32 *out_best_score)</c>: NULL when there is no hypothesis.</summary>
    [LibraryImport(Library, EntryPoint = "ps_seg_iter")]
    public static partial nint SegmentIterator(nint decoder, int* bestScore);

    /// <summary>The next word; NULL at the end, and the iterator is then freed.</summary>
    [LibraryImport(Library, EntryPoint = "ps_seg_next")]
    public static partial nint SegmentNext(nint segment);

    [LibraryImport(Library, EntryPoint = "ps_seg_word")]
    public static partial nint SegmentWord(nint segment);

    [LibraryImport(Library, EntryPoint = "ps_seg_frames")]
    public static partial void SegmentFrames(nint segment, int* startFrame, int* endFrame);

    /// <summary>Log posterior probability of the word (in the decoder's log base).</summary>
    [LibraryImport(Library, EntryPoint = "ps_seg_prob")]
    public static partial int SegmentProbability(nint segment, int* acousticScore, int* languageScore, int* languageBackoff);

    [LibraryImport(Library, EntryPoint = "ps_seg_free")]
    public static partial void SegmentFree(nint segment);
}
