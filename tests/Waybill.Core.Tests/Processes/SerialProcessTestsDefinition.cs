using Xunit;

namespace Waybill.Core.Tests.Processes;

/// <summary>Tests that count the test host's file descriptors or time spawns must not overlap other tests.</summary>
[CollectionDefinition(nameof(SerialProcessTestsDefinition), DisableParallelization = true)]
public sealed class SerialProcessTestsDefinition;
