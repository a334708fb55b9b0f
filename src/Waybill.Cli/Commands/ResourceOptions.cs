using System.CommandLine;
using Waybill.Core.Execution.Resources;
using Waybill.Core.Pipeline.Controls;

namespace Waybill.Cli.Commands;

/// <summary>
/// <c>--cores</c>, <c>--memory</c>, <c>--gpus</c>: what a run's stages may use at once, each by default this machine's.
/// Shared by <c>run</c>, <c>resume</c>, <c>subtitle</c> and <c>validate</c>.
/// </summary>
internal sealed class ResourceOptions
{
    public Option<int?> Cores { get; } = new("--cores")
    {
        Description = "CPU threads the stages may use at once; a stage's threads count against it (default: this machine's cores)",
    };

    public Option<string?> Memory { get; } = new("--memory")
    {
        Description = "Memory the stages may ask for at once, e.g. 16GiB (default: this machine's memory)",
    };

    public Option<int?> Gpus { get; } = new("--gpus") { Description = "GPUs the stages may share out, one stage per GPU (default: the GPUs found)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Cores);
        command.Options.Add(Memory);
        command.Options.Add(Gpus);
    }

    /// <summary>The machine's resources with the options given in their place.</summary>
    public RunResources Read(ParseResult parse)
    {
        var cores = parse.GetValue(Cores);
        if (cores is < 1) throw new CliException($"--cores must be at least 1, not {cores}");
        var gpus = parse.GetValue(Gpus);
        if (gpus is < 0) throw new CliException($"--gpus must be 0 or more, not {gpus}");
        long? memory = null;
        if (parse.GetValue(Memory) is { } text)
        {
            memory = Quantities.ParseSize(text, out var problem);
            if (memory is null) throw new CliException($"--memory {problem}", Quantities.SizeRule);
            if (memory <= 0) throw new CliException($"--memory must be more than 0, not '{text}'");
        }
        return MachineResources.Current.With(cores, memory, gpus);
    }
}
