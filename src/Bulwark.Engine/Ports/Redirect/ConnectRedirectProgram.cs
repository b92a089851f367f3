using I = Bulwark.Native.Bpf.Instruction;

namespace Bulwark.Engine.Ports.Redirect;

/// <summary>
/// The cgroup/connect4 and cgroup/connect6 programs, as eBPF instructions (assembled here: no compiler is needed on
/// the host). The connect6 one handles IPv4-mapped destinations (::ffff:a.b.c.d), which dual-stack sockets (.NET's
/// HttpClient and TcpClient, Java) use for IPv4, with the same map; other IPv6 destinations pass. connect4 runs
/// in the kernel at every IPv4 connect(2) of a process in the cgroup it is attached to (the cgroup v2 root: every
/// process), before the route is chosen. For a TCP socket it looks up (network namespace cookie, destination address,
/// destination port) in the map; on a hit it rewrites the destination to the container's end of its port link. The
/// connection is then one plain TCP connection to the container: no proxy, no NAT, no conntrack. Anything else
/// (UDP, another namespace, another address or port) passes unchanged. It always allows the connect (returns 1).
/// <code>
///  0  r6 = r1                               ctx (struct bpf_sock_addr)
///  1  r2 = *(u32 *)(r6 + 32)                ctx->type
///  2  if r2 != SOCK_STREAM goto 19
///  3  call bpf_get_netns_cookie(ctx)        the connecting socket's network namespace
///  4  *(u64 *)(r10 - 16) = r0               key.netns
///  5  r2 = *(u32 *)(r6 + 4)                 ctx->user_ip4 (network order)
///  6  *(u32 *)(r10 - 8) = r2                key.address
///  7  r2 = *(u32 *)(r6 + 24)                ctx->user_port (network order, low 16 bits)
///  8  *(u32 *)(r10 - 4) = r2                key.port
///  9  r1 = map (2 instructions)
/// 11  r2 = r10 - 16                         &amp;key
/// 13  call bpf_map_lookup_elem
/// 14  if r0 == 0 goto 19
/// 15  ctx->user_ip4 = value.address
/// 17  ctx->user_port = value.port
/// 19  return 1
/// </code>
/// </summary>
internal static class ConnectRedirectProgram
{
    private const int HelperMapLookupElem = 1;
    private const int HelperGetNetnsCookie = 122;
    private const byte PseudoMapFd = 1;
    private const int SockStream = 1;
    private const short UserIp4 = 4;       // offsetof(struct bpf_sock_addr, user_ip4)
    private const short UserIp6Word3 = 20; // user_ip6[3]
    private const short UserPort = 24;

    /// <summary>Key: netns cookie (u64), IPv4 address, port (u32 holding the port in network order): 16 bytes.</summary>
    public const int KeySize = 16;

    /// <summary>Value: IPv4 address, port (as in the key): 8 bytes.</summary>
    public const int ValueSize = 8;

    public static IReadOnlyList<I> Build4(int mapFd) =>
    [
        new(0xbf, 6, 1, 0, 0),                   // mov64 r6, r1
        new(0x61, 2, 6, 32, 0),                  // ldxw r2, [r6+32]  type
        new(0x55, 2, 0, 16, SockStream),         // jne r2, 1, +16
        .. LookupAndRewrite(mapFd, UserIp4),
    ];

    /// <summary>
    /// The common tail (18 instructions; r1 and r6 hold ctx): the key from the netns cookie, the IPv4 address at
    /// <paramref name="addressOffset"/> and the port; on a hit, the value's address and port written back; return 1.
    /// The jumps above land on its last two instructions.
    /// </summary>
    private static I[] LookupAndRewrite(int mapFd, short addressOffset) =>
    [
        new(0x85, 0, 0, 0, HelperGetNetnsCookie),// call (r1 is still ctx)
        new(0x7b, 10, 0, -16, 0),                // stxdw [r10-16], r0
        new(0x61, 2, 6, addressOffset, 0),       // ldxw r2, [r6+address]
        new(0x63, 10, 2, -8, 0),                 // stxw [r10-8], r2
        new(0x61, 2, 6, UserPort, 0),            // ldxw r2, [r6+24]  user_port
        new(0x63, 10, 2, -4, 0),                 // stxw [r10-4], r2
        new(0x18, 1, PseudoMapFd, 0, mapFd),     // lddw r1, map
        new(0x00, 0, 0, 0, 0),
        new(0xbf, 2, 10, 0, 0),                  // mov64 r2, r10
        new(0x07, 2, 0, 0, -16),                 // add64 r2, -16
        new(0x85, 0, 0, 0, HelperMapLookupElem), // call
        new(0x15, 0, 0, 4, 0),                   // jeq r0, 0, +4
        new(0x61, 2, 0, 0, 0),                   // ldxw r2, [r0+0]
        new(0x63, 6, 2, addressOffset, 0),       // stxw [r6+address], r2
        new(0x61, 2, 0, 4, 0),                   // ldxw r2, [r0+4]
        new(0x63, 6, 2, UserPort, 0),            // stxw [r6+24], r2
        new(0xb7, 0, 0, 0, 1),                   // mov64 r0, 1
        new(0x95, 0, 0, 0, 0),                   // exit
    ];

    /// <summary>
    /// connect6: the same lookup for a destination ::ffff:a.b.c.d, rewriting only the IPv4 part and the port.
    /// <code>
    ///  0  r6 = r1
    ///  1  r2 = ctx->type;        2  if r2 != SOCK_STREAM goto 25
    ///  3  r2 = ctx->user_ip6[0]; 4  if r2 != 0 goto 25
    ///  5  r2 = ctx->user_ip6[1]; 6  if r2 != 0 goto 25
    ///  7  r2 = ctx->user_ip6[2]; 8  if (u32)r2 != htonl(0xffff) goto 25
    ///  9  key.netns = bpf_get_netns_cookie(ctx); key.address = ctx->user_ip6[3]; key.port = ctx->user_port
    /// 15  r0 = bpf_map_lookup_elem(map, &amp;key); if r0 == 0 goto 25
    /// 21  ctx->user_ip6[3] = value.address; ctx->user_port = value.port
    /// 25  return 1
    /// </code>
    /// </summary>
    public static IReadOnlyList<I> Build6(int mapFd) =>
    [
        new(0xbf, 6, 1, 0, 0),                   // mov64 r6, r1
        new(0x61, 2, 6, 32, 0),                  // ldxw r2, [r6+32]  type
        new(0x55, 2, 0, 22, SockStream),         // jne r2, 1, +22
        new(0x61, 2, 6, 8, 0),                   // ldxw r2, [r6+8]   user_ip6[0]
        new(0x55, 2, 0, 20, 0),                  // jne r2, 0, +20
        new(0x61, 2, 6, 12, 0),                  // ldxw r2, [r6+12]  user_ip6[1]
        new(0x55, 2, 0, 18, 0),                  // jne r2, 0, +18
        new(0x61, 2, 6, 16, 0),                  // ldxw r2, [r6+16]  user_ip6[2]
        new(0x56, 2, 0, 16, unchecked((int)0xffff0000)), // jne32 r2, 0xffff0000 (00 00 ff ff in memory), +16
        .. LookupAndRewrite(mapFd, UserIp6Word3),
    ];

    /// <summary>The map key for connections from namespace <paramref name="netnsCookie"/> to <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static byte[] Key(ulong netnsCookie, System.Net.IPAddress address, int port)
    {
        byte[] key = new byte[KeySize];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(key, netnsCookie);
        WriteEndpoint(key.AsSpan(8), address, port);
        return key;
    }

    /// <summary>The map value: where such a connection goes instead.</summary>
    public static byte[] Value(System.Net.IPAddress address, int port)
    {
        byte[] value = new byte[ValueSize];
        WriteEndpoint(value, address, port);
        return value;
    }

    private static void WriteEndpoint(Span<byte> to, System.Net.IPAddress address, int port)
    {
        if (!address.TryWriteBytes(to[..4], out int written) || written != 4)
        {
            throw new ArgumentException($"not an IPv4 address: {address}", nameof(address));
        }
        to[4] = (byte)(port >> 8);
        to[5] = (byte)port;
        to[6] = 0;
        to[7] = 0;
    }

}
