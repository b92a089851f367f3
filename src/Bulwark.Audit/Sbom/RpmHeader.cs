using System.Buffers.Binary;
using System.Text;

namespace Bulwark.Audit.Sbom;

/// <summary>
/// One rpm header as rpmdb stores it (a header blob): big-endian index count and data length, that many 16-byte index
/// entries (tag, type, offset into the data, count), then the data. An optional 8-byte header magic is skipped. Only the
/// string and int32 tags the SBOM needs are read; every offset and count is checked against the blob.
/// </summary>
public sealed class RpmHeader
{
    public const int TagName = 1000;
    public const int TagVersion = 1001;
    public const int TagRelease = 1002;
    public const int TagEpoch = 1003;
    public const int TagArch = 1022;
    public const int TagSourceRpm = 1044;

    private const int TypeInt32 = 4;
    private const int TypeString = 6;
    private const int TypeStringArray = 8;
    private const int TypeI18nString = 9;
    private static readonly byte[] Magic = [0x8E, 0xAD, 0xE8, 0x01];

    private readonly Dictionary<int, string> _strings = [];
    private readonly Dictionary<int, int> _ints = [];

    private RpmHeader()
    {
    }

    public string? String(int tag) => _strings.GetValueOrDefault(tag);

    public int? Int32(int tag) => _ints.TryGetValue(tag, out int v) ? v : null;

    public static RpmHeader Parse(ReadOnlySpan<byte> blob)
    {
        if (blob.Length >= 8 && blob[..4].SequenceEqual(Magic))
        {
            blob = blob[8..];
        }

        if (blob.Length < 8)
        {
            throw new AuditException("rpm header blob is shorter than its 8-byte preamble");
        }

        int count = BinaryPrimitives.ReadInt32BigEndian(blob);
        int dataLength = BinaryPrimitives.ReadInt32BigEndian(blob[4..]);
        if (count < 0 || dataLength < 0 || (long)count * 16 + dataLength + 8 > blob.Length)
        {
            throw new AuditException($"rpm header blob claims {count} entries and {dataLength} data bytes but has {blob.Length} bytes");
        }

        var index = blob.Slice(8, count * 16);
        var data = blob.Slice(8 + (count * 16), dataLength);
        var header = new RpmHeader();
        for (int e = 0; e < count; e++)
        {
            var entry = index.Slice(e * 16, 16);
            int tag = BinaryPrimitives.ReadInt32BigEndian(entry);
            int type = BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
            int offset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
            int n = BinaryPrimitives.ReadInt32BigEndian(entry[12..]);
            if (tag is not (TagName or TagVersion or TagRelease or TagEpoch or TagArch or TagSourceRpm))
            {
                continue;
            }

            if (offset < 0 || offset >= data.Length || n < 1)
            {
                throw new AuditException($"rpm header tag {tag} points outside the header's data");
            }

            switch (type)
            {
                case TypeString or TypeStringArray or TypeI18nString:
                    int end = data[offset..].IndexOf((byte)0);
                    if (end < 0)
                    {
                        throw new AuditException($"rpm header tag {tag}: string is not terminated");
                    }

                    header._strings[tag] = Encoding.UTF8.GetString(data.Slice(offset, end));
                    break;
                case TypeInt32:
                    if (offset + 4 > data.Length)
                    {
                        throw new AuditException($"rpm header tag {tag} points outside the header's data");
                    }

                    header._ints[tag] = BinaryPrimitives.ReadInt32BigEndian(data[offset..]);
                    break;
                default:
                    break;
            }
        }

        return header;
    }
}
