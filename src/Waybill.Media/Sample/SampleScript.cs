namespace Waybill.Media.Sample;

/// <summary>The sentences the generated sample speaks: plain, common words, so any English recogniser has a fair chance.</summary>
internal static class SampleScript
{
    public static readonly string[] Sentences =
    [
        "Welcome to the river town where the old bridge crosses the water.",
        "Every morning the baker opens his shop and sells fresh bread.",
        "The children walk to school along the quiet green road.",
        "In the evening the people gather in the market square to talk.",
        "A small boat carries letters and food to the island.",
        "The doctor says the weather will be warm and dry this week.",
        "My brother bought a new car and drove it to the city.",
        "We watched the news on television after dinner.",
    ];

    /// <summary>Notes of the synthetic melody (Hz), half a second each: C5 E5 G5 E5 C5 G4 A4 C5.</summary>
    public static readonly double[] MelodyNotes = [523.25, 659.25, 783.99, 659.25, 523.25, 392.00, 440.00, 523.25];
}
