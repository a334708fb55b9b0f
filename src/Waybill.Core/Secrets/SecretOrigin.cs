namespace Waybill.Core.Secrets;

/// <summary>Where the first run of a job was given a secret; recorded (without the value) in <c>.waybill/run.json</c>.</summary>
public enum SecretOrigin
{
    /// <summary>Written in the pipeline file; masked in the snapshot.</summary>
    PipelineFile,
    /// <summary>A <c>--set</c> override.</summary>
    SetOption,
    /// <summary>An environment variable listed under <c>secrets:</c> that was set.</summary>
    Environment,
}
