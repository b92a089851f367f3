using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Networks;

/// <summary>What the network tests run inside busybox containers, and their docker CLI step that must succeed.</summary>
internal static class NetworkProbe
{
    /// <summary>A name with a random suffix, so tests sharing a daemon never collide.</summary>
    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>A busybox httpd on :8080 serving "hello-from-&lt;name&gt;" at /f.</summary>
    public static string Server(string name) => $"mkdir /w && echo hello-from-{name} > /w/f && exec httpd -f -p 8080 -h /w";

    /// <summary>Fetches http://host:8080/f with nc, retrying while the server starts; prints the body or "unreachable".</summary>
    public static string Fetch(string host) =>
        $"for i in $(seq 1 30); do out=$(printf 'GET /f HTTP/1.0\\r\\n\\r\\n' | nc -w 2 {host} 8080 2>&1) && " +
        $"echo \"$out\" | grep hello && exit 0; echo \"$out\" | grep -q -e unreachable -e 'bad address' && break; sleep 0.2; done; echo \"unreachable: $out\"; exit 1";

    /// <summary>A docker CLI command that must exit 0; its stdout.</summary>
    public static async Task<string> MustDockerAsync(this DaemonInstance d, params string[] args)
    {
        var r = await d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}");
        return r.Stdout;
    }
}
