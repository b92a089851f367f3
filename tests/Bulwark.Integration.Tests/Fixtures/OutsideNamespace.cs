using System.Diagnostics;
using System.Globalization;

namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>
/// "The outside" for egress tests: a network namespace this test creates, joined to the host by a veth pair in a free
/// 10.99.N.0/24 (host side .1, namespace side .2 and .3), with busybox httpd serving "outside-PORT" on 8080 and 8081
/// of every address in it. Nothing else is ever contacted. Disposing kills the servers (by pid) and deletes the
/// namespace and the veth pair.
/// </summary>
public sealed class OutsideNamespace : IAsyncDisposable
{
    private readonly List<Process> _servers = [];
    private readonly string _dir;

    private OutsideNamespace(string name, string hostVeth, int n)
    {
        Name = name;
        HostVeth = hostVeth;
        Prefix = "10.99." + n.ToString(CultureInfo.InvariantCulture);
        _dir = Path.Combine(Path.GetTempPath(), name);
    }

    public string Name { get; }
    public string HostVeth { get; }
    /// <summary>"10.99.N": the host side is .1, the namespace answers on .2 and .3.</summary>
    public string Prefix { get; }
    public string Server => Prefix + ".2";
    public string OtherServer => Prefix + ".3";

    public static async Task<OutsideNamespace> CreateAsync()
    {
        string routes = (await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "table", "all"])).Stdout;
        int n = Enumerable.Range(0, 40).Select(_ => Random.Shared.Next(10, 250))
            .First(i => !routes.Contains($"10.99.{i}.", StringComparison.Ordinal));
        string tag = Guid.NewGuid().ToString("N")[..6];
        var o = new OutsideNamespace("bwtout-" + tag, "bwto" + tag, n);
        try
        {
            await o.SetUpAsync();
            return o;
        }
        catch
        {
            await o.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        await MustAsync("ip", "netns", "add", Name);
        await MustAsync("ip", "link", "add", HostVeth, "type", "veth", "peer", "name", "eth0", "netns", Name);
        await MustAsync("ip", "addr", "add", Prefix + ".1/24", "dev", HostVeth);
        await MustAsync("ip", "link", "set", HostVeth, "up");
        await MustAsync("ip", "netns", "exec", Name, "ip", "addr", "add", Server + "/24", "dev", "eth0");
        await MustAsync("ip", "netns", "exec", Name, "ip", "addr", "add", OtherServer + "/24", "dev", "eth0");
        await MustAsync("ip", "netns", "exec", Name, "ip", "link", "set", "eth0", "up");
        await MustAsync("ip", "netns", "exec", Name, "ip", "link", "set", "lo", "up");
        foreach (int port in new[] { 8080, 8081 })
        {
            string dir = Path.Combine(_dir, port.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            await File.WriteAllTextAsync(Path.Combine(dir, "f"), "outside-" + port.ToString(CultureInfo.InvariantCulture) + "\n");
            var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { "netns", "exec", Name, "busybox", "httpd", "-f", "-p", port.ToString(CultureInfo.InvariantCulture), "-h", dir })
            {
                psi.ArgumentList.Add(a);
            }
            _servers.Add(Process.Start(psi)!);
        }
        // Ready when both answer from inside the namespace (poll with a deadline, no fixed sleep).
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (int port in new[] { 8080, 8081 })
        {
            while (true)
            {
                var r = await ProcessRunner.RunAsync("ip", ["netns", "exec", Name, "sh", "-c", Get(Server, port, "busybox nc")]);
                if (r.Stdout.Contains("outside-", StringComparison.Ordinal))
                {
                    break;
                }
                if (DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException("the outside namespace's httpd did not answer: " + r);
                }
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A shell command printing the last line of GET /f from host:port (the body), or nc's error.</summary>
    public static string Get(string host, int port, string nc = "nc") =>
        $"printf 'GET /f HTTP/1.0\\r\\n\\r\\n' | {nc} -w 3 {host} {port.ToString(CultureInfo.InvariantCulture)} 2>&1 | tail -n 1";

    private static async Task MustAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync(args[0], args[1..]);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)}: {r}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _servers)
        {
            try
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }
            catch (InvalidOperationException)
            {
            }
            p.Dispose();
        }
        await ProcessRunner.RunAsync("ip", ["link", "del", HostVeth]);
        await ProcessRunner.RunAsync("ip", ["netns", "del", Name]);
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
