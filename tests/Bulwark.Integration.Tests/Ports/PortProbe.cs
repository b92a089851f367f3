using System.Net;
using System.Net.Sockets;

namespace Bulwark.Integration.Tests.Ports;

/// <summary>Client side of the published-port tests: HTTP and UDP through a host port, polled until a deadline.</summary>
internal static class PortProbe
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>GETs http://endpoint/ until it answers 200 (the server inside may not listen yet) and returns the body.</summary>
    public static async Task<string> HttpGetAsync(string hostPort)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var until = DateTime.UtcNow + Deadline;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(new Uri("http://" + hostPort + "/"));
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < until)
            {
            }
            if (DateTime.UtcNow >= until)
            {
                throw new TimeoutException("no HTTP answer through " + hostPort);
            }
            await Task.Yield();
        }
    }

    /// <summary>Sends datagrams until one comes back (the server inside may not listen yet) and returns it.</summary>
    public static async Task<string> UdpRoundTripAsync(IPEndPoint target, string payload)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        udp.Connect(target);
        var until = DateTime.UtcNow + Deadline;
        byte[] data = System.Text.Encoding.ASCII.GetBytes(payload);
        while (DateTime.UtcNow < until)
        {
            await udp.SendAsync(data);
            using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                var got = await udp.ReceiveAsync(wait.Token);
                return System.Text.Encoding.ASCII.GetString(got.Buffer);
            }
            catch (OperationCanceledException)
            {
            }
            catch (SocketException)
            {
            }
        }
        throw new TimeoutException("no UDP answer through " + target);
    }

    /// <summary>True when nothing listens on the TCP port any more: binding it succeeds.</summary>
    public static bool IsFree(IPAddress ip, int port, ProtocolType protocol = ProtocolType.Tcp)
    {
        using var s = protocol == ProtocolType.Udp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            s.Bind(new IPEndPoint(ip, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
