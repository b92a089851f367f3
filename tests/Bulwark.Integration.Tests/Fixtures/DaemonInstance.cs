using System.Diagnostics;
using System.Net.Sockets;

namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>
/// A real bulwarkd on a temporary socket, data root and exec root, driven with our CLI and the docker CLI.
/// Disposing removes its containers, stops it, and cleans up mounts, cgroups and files.
/// </summary>
public sealed class DaemonInstance : IAsyncDisposable
{
    private Process? _process;
    private IReadOnlyList<string> _extraArgs = [];
    private readonly System.Text.StringBuilder _log = new();

    private DaemonInstance(string root)
    {
        Root = root;
    }

    public string Root { get; }
    public string DataRoot => Path.Combine(Root, "data");
    public string ExecRoot => Path.Combine(Root, "x");
    public string SocketPath => Path.Combine(Root, "api.sock");
    public string Host => "unix://" + SocketPath;
    public int? Pid => _process is { HasExited: false } p ? p.Id : null;

    public string DaemonLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <param name="daemonJson">daemon.json content (written under the root and passed with --config), or null.</param>
    /// <param name="root">
    /// The directory that holds the data root, exec root and socket (a test's own filesystem, e.g. a small tmpfs);
    /// null for a fresh /tmp/bwt-*.
    /// </param>
    public static Task<DaemonInstance> StartAsync(string? daemonJson = null, string? root = null) => StartAsync(daemonJson, [], root);

    /// <param name="daemonJson">daemon.json content, or null.</param>
    /// <param name="extraArgs">more bulwarkd flags (e.g. TLS flags and a second -H).</param>
    /// <param name="root">as above.</param>
    public static async Task<DaemonInstance> StartAsync(string? daemonJson, IReadOnlyList<string> extraArgs, string? root = null)
    {
        // Short root: unix socket paths of the monitors live under the exec root.
        root ??= Path.Combine("/tmp", "bwt-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        var d = new DaemonInstance(root);
        if (daemonJson is not null)
        {
            string config = Path.Combine(root, "daemon.json");
            File.WriteAllText(config, daemonJson);
            d._extraArgs = ["--config", config];
        }
        d._extraArgs = [.. d._extraArgs, .. extraArgs];
        await d.StartProcessAsync();
        return d;
    }

    public async Task StartProcessAsync()
    {
        var psi = new ProcessStartInfo(RepoPaths.Daemon)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { "--data-root", DataRoot, "--exec-root", ExecRoot, "--host", Host, "--monitor-path", RepoPaths.Monitor }.Concat(_extraArgs))
        {
            psi.ArgumentList.Add(a);
        }
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // waits until its output has been read to the end, so the log is complete
                throw new InvalidOperationException("bulwarkd exited during start:\n" + DaemonLog);
            }
            if (File.Exists(SocketPath))
            {
                try
                {
                    using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
                    return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("bulwarkd did not start listening:\n" + DaemonLog);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    /// <summary>Stops the daemon process (SIGTERM, like systemd); containers keep running under their monitors.</summary>
    public async Task StopProcessAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }
        _ = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
    }

    /// <summary>kill -9 of the daemon, wherever it is: what a crash or the OOM killer does. Containers stay with their monitors.</summary>
    public async Task KillProcessAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>The cgroup parent this daemon puts its containers under (bulwark-&lt;engine id[:12]&gt;).</summary>
    public string CgroupParent => "bulwark-" + File.ReadAllText(Path.Combine(DataRoot, "engine-id")).Trim()[..12];

    public async Task RestartAsync()
    {
        await StopProcessAsync();
        await StartProcessAsync();
    }

    public Task<CommandResult> CliAsync(params string[] args) => CliWithInputAsync(null, args);

    /// <summary>Builds the busybox test image (Debian's busybox-static) under this instance's root and imports it as <paramref name="image"/>.</summary>
    public async Task ImportBusyboxAsync(string image)
    {
        string tar = BusyboxImage.BuildRootfsTar(Path.Combine(Root, "image"));
        var r = await CliAsync("import", tar, image);
        Assert.True(r.ExitCode == 0, r.ToString());
    }

    public Task<CommandResult> CliWithInputAsync(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args, new Dictionary<string, string> { ["BULWARK_HOST"] = Host }, stdin);

    public Task<CommandResult> DockerAsync(params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string>
        {
            ["DOCKER_HOST"] = Host,
            ["DOCKER_CONFIG"] = Path.Combine(Root, "docker-config"),
        });

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Pid is not null)
            {
                var ps = await CliAsync("ps", "-aq");
                foreach (string id in ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    await CliAsync("rm", "-f", id.Trim());
                }
                await DockerAsync("network", "prune", "-f");
            }
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException or FileNotFoundException)
        {
        }
        await StopProcessAsync();
        Cleanup.RemoveMountsUnder(Root);
        Cleanup.RemoveCgroupsFor(DataRoot);
        Cleanup.RemoveBridgesFor(DataRoot);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        _process?.Dispose();
    }
}
