using System.Runtime.CompilerServices;

// The benchmarks build a StageContext directly, so that tracking is measured without running a whole stage.
[assembly: InternalsVisibleTo("Waybill.Benchmarks")]
