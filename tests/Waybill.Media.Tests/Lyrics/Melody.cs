namespace Waybill.Media.Tests.Lyrics;

/// <summary>A synthetic sung-like melody: notes at musical pitches with vibrato, a few harmonics and soft note edges.</summary>
public static class Melody
{
    /// <summary>MIDI note numbers of a short tune (A4 = 69).</summary>
    public static readonly int[] Tune = [69, 72, 76, 74, 71, 67, 69, 72, 74, 69];

    public static float[] Render(int[] notes, double noteSeconds = 0.5, double vibratoHz = 5.5, double vibratoSemitones = 0.3, int rate = 16000, double amplitude = 0.25)
    {
        var perNote = (int)(noteSeconds * rate);
        var result = new float[perNote * notes.Length];
        var phase = 0.0;
        var edge = (int)(0.03 * rate);
        for (var n = 0; n < notes.Length; n++)
        {
            var baseHz = 440 * Math.Pow(2, (notes[n] - 69) / 12.0);
            for (var i = 0; i < perNote; i++)
            {
                var t = (double)(n * perNote + i) / rate;
                var hz = baseHz * Math.Pow(2, vibratoSemitones * Math.Sin(2 * Math.PI * vibratoHz * t) / 12);
                phase += 2 * Math.PI * hz / rate;
                var envelope = Math.Min(1, Math.Min(i, perNote - i) / (double)edge);
                var value = Math.Sin(phase) + 0.5 * Math.Sin(2 * phase) + 0.25 * Math.Sin(3 * phase) + 0.12 * Math.Sin(4 * phase);
                result[n * perNote + i] = (float)(amplitude * envelope * value / 1.87);
            }
        }
        return result;
    }
}
