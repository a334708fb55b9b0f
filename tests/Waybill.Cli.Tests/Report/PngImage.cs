using System.Buffers.Binary;
using System.IO.Compression;

namespace Waybill.Cli.Tests.Report;

/// <summary>
/// Decodes the PNG files Chromium writes (8 bits per channel, RGB or RGBA, not interlaced) into RGB pixels, so a test
/// can look at what was drawn. Anything else is refused by name.
/// </summary>
public sealed class PngImage
{
    private readonly byte[] _rgb;

    private PngImage(int width, int height, byte[] rgb)
    {
        Width = width;
        Height = height;
        _rgb = rgb;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The pixel as 0xRRGGBB.</summary>
    public int this[int x, int y]
    {
        get
        {
            var at = ((y * Width) + x) * 3;
            return (_rgb[at] << 16) | (_rgb[at + 1] << 8) | _rgb[at + 2];
        }
    }

    public static PngImage Decode(byte[] png)
    {
        if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }))
            throw new FormatException("not a PNG file");
        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (var at = 8; at + 8 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = data[9] switch { 2 => 3, 6 => 4, var other => throw new FormatException($"PNG colour type {other} is not decoded here") };
                if (data[8] != 8 || data[12] != 0) throw new FormatException("only 8-bit, non-interlaced PNG files are decoded here");
            }
            else if (type == "IDAT") compressed.Write(data);
            else if (type == "IEND") break;
            at += 12 + length;
        }
        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        var stride = width * channels;
        var previous = new byte[stride];
        var current = new byte[stride];
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            Array.Copy(raw, (y * (stride + 1)) + 1, current, 0, stride);
            Unfilter(filter, current, previous, channels);
            for (var x = 0; x < width; x++)
                for (var c = 0; c < 3; c++) rgb[(((y * width) + x) * 3) + c] = current[(x * channels) + c];
            (previous, current) = (current, previous);
        }
        return new PngImage(width, height, rgb);
    }

    private static void Unfilter(byte filter, byte[] line, byte[] above, int bpp)
    {
        for (var i = 0; i < line.Length; i++)
        {
            int left = i >= bpp ? line[i - bpp] : 0, up = above[i], corner = i >= bpp ? above[i - bpp] : 0;
            line[i] = (byte)(line[i] + filter switch
            {
                0 => 0,
                1 => left,
                2 => up,
                3 => (left + up) / 2,
                4 => Paeth(left, up, corner),
                _ => throw new FormatException($"PNG filter {filter} is unknown"),
            });
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
