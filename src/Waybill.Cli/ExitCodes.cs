namespace Waybill.Cli;

/// <summary>Documented in docs/cli.md; scripts depend on these numbers.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The job ran and at least one stage failed.</summary>
    public const int StageFailed = 1;
    /// <summary><c>waybill verify</c> found at least one error: the job folder no longer matches its manifests.</summary>
    public const int VerificationFailed = 1;
    /// <summary><c>waybill models fetch|verify</c>: a model could not be fetched, or a model file does not match its checksum.</summary>
    public const int ModelFailed = 1;
    /// <summary>Bad input: pipeline file, arguments, unknown job or stage. Nothing ran.</summary>
    public const int InvalidInput = 2;
    /// <summary>The job folder or a file could not be written or read.</summary>
    public const int IoError = 3;
    /// <summary>Another live waybill process holds the job (a run, resume or clean); nothing was changed.</summary>
    public const int JobLocked = 4;
    /// <summary>A fault in Waybill itself; the message says what, WAYBILL_DEBUG=1 adds the stack trace.</summary>
    public const int InternalError = 70;
    /// <summary>Cancelled (Ctrl-C / SIGTERM).</summary>
    public const int Cancelled = 130;
}
