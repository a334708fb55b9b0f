using System.Text;

namespace Waybill.Cli.Tests.Telemetry;

/// <summary>
/// A minimal reader of the protobuf wire format: a message is a list of fields, each a number and a varint, a fixed
/// 64- or 32-bit value, or length-delimited bytes (a string or a nested message). Enough to read what an OTLP exporter sent.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly List<(int Number, ulong Scalar, byte[]? Bytes)> _fields = [];

    public ProtoMessage(ReadOnlySpan<byte> data)
    {
        var position = 0;
        while (position < data.Length)
        {
            var key = Varint(data, ref position);
            var number = (int)(key >> 3);
            switch ((int)(key & 7))
            {
                case 0:
                    _fields.Add((number, Varint(data, ref position), null));
                    break;
                case 1:
                    _fields.Add((number, BitConverter.ToUInt64(data.Slice(position, 8)), null));
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref position);
                    _fields.Add((number, 0, data.Slice(position, length).ToArray()));
                    position += length;
                    break;
                case 5:
                    _fields.Add((number, BitConverter.ToUInt32(data.Slice(position, 4)), null));
                    position += 4;
                    break;
                default:
                    throw new FormatException($"wire type {key & 7} at byte {position}");
            }
        }
    }

    public IEnumerable<ProtoMessage> Messages(int number) => _fields.Where(f => f.Number == number && f.Bytes is not null).Select(f => new ProtoMessage(f.Bytes));

    public ProtoMessage? Message(int number) => Messages(number).FirstOrDefault();

    public byte[]? Bytes(int number) => _fields.LastOrDefault(f => f.Number == number).Bytes;

    public string? Text(int number) => Bytes(number) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;

    public ulong? Scalar(int number) => _fields.Any(f => f.Number == number && f.Bytes is null) ? _fields.Last(f => f.Number == number).Scalar : null;

    public string? Hex(int number) => Bytes(number) is { Length: > 0 } bytes ? Convert.ToHexStringLower(bytes) : null;

    private static ulong Varint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
