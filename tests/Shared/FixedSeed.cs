using CsCheck;

namespace Waybill.Tests.Support;

/// <summary>
/// Property checks over a fixed sequence of cases: CsCheck's <c>Sample</c> fixes only the first case of a run (its seed
/// parameter), so two runs of the suite would check different values. These draw every case from one PCG stream with a
/// fixed seed, so every run — CI included — checks the same cases, and a failure names the case that broke, reproducibly.
/// </summary>
public static class FixedSeed
{
    /// <summary>The seed of every property suite; change it to explore other cases locally.</summary>
    public const ulong Seed = 20_261_204;

    public static void SampleFixed<T>(this Gen<T> gen, Action<T> assert, long iter, Func<T, string>? print = null)
    {
        var pcg = new PCG(1, Seed);
        for (var i = 0L; i < iter; i++)
        {
            var value = gen.Generate(pcg, null, out _);
            try
            {
                assert(value);
            }
            catch (Exception e)
            {
                var shown = print?.Invoke(value) ?? value?.ToString() ?? "null";
                throw new InvalidOperationException($"property failed at case {i + 1} of {iter} (fixed seed {Seed}): {shown}\n{e.Message}", e);
            }
        }
    }

    public static void SampleFixed<T1, T2>(this Gen<(T1, T2)> gen, Action<T1, T2> assert, long iter,
        Func<(T1, T2), string>? print = null) =>
        gen.SampleFixed(t => assert(t.Item1, t.Item2), iter, print);

    public static void SampleFixed<T1, T2, T3>(this Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> assert, long iter,
        Func<(T1, T2, T3), string>? print = null) =>
        gen.SampleFixed(t => assert(t.Item1, t.Item2, t.Item3), iter, print);

    public static void SampleFixed<T1, T2, T3, T4>(this Gen<(T1, T2, T3, T4)> gen, Action<T1, T2, T3, T4> assert, long iter,
        Func<(T1, T2, T3, T4), string>? print = null) =>
        gen.SampleFixed(t => assert(t.Item1, t.Item2, t.Item3, t.Item4), iter, print);
}
