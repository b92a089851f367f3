using System.Net;
using System.Net.Sockets;
using Bulwark.Engine.Ports.Redirect;

namespace Bulwark.Engine.Tests.Ports.Redirect;

/// <summary>
/// The connect4 program in the real kernel (attached to the cgroup v2 root for the test's length): this process's
/// connects to a redirected host port arrive at the target instead; everything else is left alone.
/// </summary>
public sealed class ConnectRedirectTests : IDisposable
{
    private readonly TcpListener _published = Listen();
    private readonly TcpListener _target = Listen();
    private readonly ConnectRedirect _redirect = ConnectRedirect.Attach(ConnectRedirect.FindCgroup2Root()
        ?? throw new InvalidOperationException("this host mounts no cgroup v2 hierarchy"));

    private int PublishedPort => ((IPEndPoint)_published.LocalEndpoint).Port;
    private int TargetPort => ((IPEndPoint)_target.LocalEndpoint).Port;

    [Theory]
    [InlineData(false)] // an AF_INET socket: the connect4 program
    [InlineData(true)]  // a dual-stack AF_INET6 socket connecting to ::ffff:127.0.0.1 (HttpClient, Java): connect6
    public async Task TcpConnectToARedirectedPort_ArrivesAtTheTarget_AndAfterRemoveAtTheListenerAgain(bool dualStack)
    {
        _redirect.Add(IPAddress.Loopback, PublishedPort, IPAddress.Loopback, TargetPort);
        using (var client = dualStack
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true }
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await client.ConnectAsync(IPAddress.Loopback, PublishedPort);
            Assert.Equal(dualStack ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork, client.AddressFamily);
            using var accepted = await AcceptAsync(_target);
            Assert.False(_published.Pending());
        }
        _redirect.Remove(IPAddress.Loopback, PublishedPort);
        using var after = new TcpClient();
        await after.ConnectAsync(IPAddress.Loopback, PublishedPort);
        using var acceptedAfter = await AcceptAsync(_published);
        Assert.False(_target.Pending());
    }

    [Fact]
    public async Task OtherAddressesAndUdp_AreLeftAlone()
    {
        _redirect.Add(IPAddress.Parse("127.0.0.2"), PublishedPort, IPAddress.Loopback, TargetPort);
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(IPAddress.Loopback, PublishedPort); // 127.0.0.1, not the redirected 127.0.0.2
            using var accepted = await AcceptAsync(_published);
        }
        _redirect.Add(IPAddress.Loopback, PublishedPort, IPAddress.Loopback, TargetPort);
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var udpPublished = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var udpTarget = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        _redirect.Add(IPAddress.Loopback, ((IPEndPoint)udpPublished.Client.LocalEndPoint!).Port, IPAddress.Loopback, ((IPEndPoint)udpTarget.Client.LocalEndPoint!).Port);
        udp.Connect(udpPublished.Client.LocalEndPoint!);
        udp.Send("x"u8);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var got = await udpPublished.ReceiveAsync(timeout.Token);
        Assert.Equal("x"u8.ToArray(), got.Buffer);
    }

    [Fact]
    public async Task Dispose_DetachesTheProgram_SoNoRedirectOutlivesIt()
    {
        _redirect.Add(IPAddress.Loopback, PublishedPort, IPAddress.Loopback, TargetPort);
        _redirect.Dispose();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, PublishedPort);
        using var accepted = await AcceptAsync(_published);
    }

    [Theory]
    [InlineData("36 25 0:31 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate", "/sys/fs/cgroup/unified")]
    [InlineData("30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw", "/sys/fs/cgroup")]
    [InlineData("40 25 0:31 /sub /mnt/c rw - cgroup2 cgroup2 rw", null)] // not the hierarchy's root
    [InlineData("41 25 0:40 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", null)] // v1
    public void FindCgroup2Root_TakesTheRootOfTheUnifiedHierarchy(string line, string? expected)
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n" + line + "\n");
            Assert.Equal(expected, ConnectRedirect.FindCgroup2Root(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static TcpListener Listen()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return l;
    }

    private static async Task<TcpClient> AcceptAsync(TcpListener l)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await l.AcceptTcpClientAsync(timeout.Token);
    }

    public void Dispose()
    {
        _redirect.Dispose();
        _published.Stop();
        _target.Stop();
    }
}
