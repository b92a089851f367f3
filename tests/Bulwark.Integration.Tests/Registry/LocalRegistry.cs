using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Bulwark.Integration.Tests.Registry;

/// <summary>
/// Debian's docker-registry (distribution 2.8) on 127.0.0.1:&lt;free port&gt; with filesystem storage in a temp directory;
/// stopped by the PID of the process it started.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process process;

    private LocalRegistry(string root, int port, Process process)
    {
        Root = root;
        Port = port;
        this.process = process;
    }

    public string Root { get; }

    public int Port { get; }

    /// <summary>"127.0.0.1:port", the registry part of image references.</summary>
    public string Host => "127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string StorageRoot => Path.Combine(Root, "storage");

    public string Log { get; private set; } = "";

    public static Task<LocalRegistry> StartAsync() => StartAsync(null);

    /// <summary>With <paramref name="htpasswd"/> (a bcrypt htpasswd file), every request needs Basic credentials from it.</summary>
    public static async Task<LocalRegistry> StartAsync(string? htpasswd)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install docker-registry (test.sh does)");
        }

        string root = Path.Combine(Path.GetTempPath(), "bwreg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        int port = FreePort();
        string config = Path.Combine(root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
              secret: bulwark-tests
            """ + (htpasswd is null ? "" : $"""

            auth:
              htpasswd:
                realm: bulwark-tests
                path: {htpasswd}
            """));
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        var p = Process.Start(psi)!;
        var reg = new LocalRegistry(root, port, p);
        p.OutputDataReceived += (_, e) => reg.Append(e.Data);
        p.ErrorDataReceived += (_, e) => reg.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException("docker-registry exited during start:\n" + reg.Log);
            }

            try
            {
                using var r = await http.GetAsync(new Uri($"http://{reg.Host}/v2/"));
                if (r.StatusCode == HttpStatusCode.OK || (htpasswd is not null && r.StatusCode == HttpStatusCode.Unauthorized))
                {
                    return reg;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        await reg.DisposeAsync();
        throw new TimeoutException("docker-registry did not answer /v2/:\n" + reg.Log);
    }

    /// <summary>The file the registry serves for a blob (to tamper with it).</summary>
    public string BlobDataPath(string digest)
    {
        string hex = digest["sha256:".Length..];
        return Path.Combine(StorageRoot, "docker/registry/v2/blobs/sha256", hex[..2], hex, "data");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (process)
            {
                Log += line + "\n";
            }
        }
    }
}
