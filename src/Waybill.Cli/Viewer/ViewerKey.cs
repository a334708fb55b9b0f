namespace Waybill.Cli.Viewer;

/// <summary>What a key press means to the viewer.</summary>
internal enum ViewerKeyKind
{
    Char,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Tab,
    Enter,
    Escape,
    Backspace,
    Resize,
}

/// <summary>One key press (<see cref="Char"/> holds the character of a <see cref="ViewerKeyKind.Char"/>).</summary>
internal readonly record struct ViewerKey(ViewerKeyKind Kind, char Char = '\0')
{
    public bool Is(char c) => Kind == ViewerKeyKind.Char && Char == c;
}
