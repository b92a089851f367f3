using System.Diagnostics;
using System.Text;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Runtime.Monitor;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Engine.Security;

namespace Bulwark.Engine.Tests.Runtime.Monitor;

/// <summary>Smoke tests with the real monitor binary and real runc on a busybox rootfs.</summary>
public sealed class MonitorProcessTests : IDisposable
{
    private const string Runc = "/usr/sbin/runc";
    private readonly string _dir = Directory.CreateTempSubdirectory("bulwark-mon-").FullName;
    private readonly List<string> _ids = [];
    private readonly List<int> _monitorPids = [];

    public void Dispose()
    {
        var runtime = new OciRuntime(Runc, Path.Combine(_dir, "runc"));
        foreach (var id in _ids)
        {
            try
            {
                runtime.DeleteAsync(id, force: true, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (EngineException)
            {
                // already deleted by the monitor
            }

            foreach (var controller in Directory.GetDirectories("/sys/fs/cgroup"))
            {
                var dir = Path.Combine(controller, "bulwark-test", id);
                if (Directory.Exists(dir))
                {
                    try
                    {
                        Directory.Delete(dir);
                    }
                    catch (IOException)
                    {
                    }
                }
            }
        }

        foreach (var controller in Directory.GetDirectories("/sys/fs/cgroup"))
        {
            try
            {
                Directory.Delete(Path.Combine(controller, "bulwark-test"));
            }
            catch (IOException)
            {
                // absent, or still used by a concurrently running test
            }
        }

        foreach (var pid in _monitorPids)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill();
            }
            catch (ArgumentException)
            {
                // exited
            }
            catch (InvalidOperationException)
            {
            }
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task StartAsync_ShellEchoAndExit3_OutputLogSecurityAndExitCode()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var options = await PrepareAsync(["sh", "-c", "echo hi; cat /proc/self/status; exit 3"], stdin: false, cts.Token);

        await using var session = await MonitorProcess.StartAsync(options, cts.Token);
        _monitorPids.Add(session.MonitorPid);
        var stdout = new StringBuilder();
        var exit = await session.RunAsync(
            (kind, data) =>
            {
                if (kind == StreamKind.Stdout)
                {
                    stdout.Append(Encoding.UTF8.GetString(data.Span));
                }

                return ValueTask.CompletedTask;
            },
            cts.Token);

        Assert.True(session.Pid > 0);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.OomKilled);
        var text = stdout.ToString();
        Assert.StartsWith("hi\n", text, StringComparison.Ordinal);
        Assert.Contains("Seccomp:\t2", text, StringComparison.Ordinal);
        Assert.Contains("NoNewPrivs:\t1", text, StringComparison.Ordinal);
        Assert.Contains($"CapEff:\t{CapabilityNames.ToMask(CapabilityNames.Default):x16}", text, StringComparison.Ordinal);
        Assert.Contains("CapBnd:\t00000000000004fb", text, StringComparison.Ordinal);
        var log = await File.ReadAllTextAsync(options.LogPath, cts.Token);
        Assert.StartsWith("{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"", log, StringComparison.Ordinal);
        Assert.Equal(exit, MonitorProcess.ReadExitFile(options.StateDir));
    }

    [Fact]
    public async Task ConnectAsync_AfterSessionDropped_GetsLaterOutputAndExit()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var options = await PrepareAsync(["sh", "-c", "echo first; read line; echo \"got $line\"; exit 7"], stdin: true, cts.Token);

        var first = await MonitorProcess.StartAsync(options, cts.Token);
        _monitorPids.Add(first.MonitorPid);
        using (var sawFirst = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first.RunAsync(
                (_, data) =>
                {
                    if (Encoding.UTF8.GetString(data.Span).Contains("first", StringComparison.Ordinal))
                    {
                        sawFirst.Cancel();
                    }

                    return ValueTask.CompletedTask;
                },
                sawFirst.Token));
        }

        first.Dispose();
        Assert.Null(MonitorProcess.ReadExitFile(options.StateDir));

        await using var second = await MonitorProcess.ConnectAsync(options.StateDir, cts.Token);
        Assert.NotNull(second);
        Assert.Equal(first.Pid, second.Pid);
        await second.WriteStdinAsync("again\n"u8.ToArray(), cts.Token);
        var stdout = new StringBuilder();
        var exit = await second.RunAsync(
            (_, data) =>
            {
                stdout.Append(Encoding.UTF8.GetString(data.Span));
                return ValueTask.CompletedTask;
            },
            cts.Token);

        Assert.Equal("got again\n", stdout.ToString());
        Assert.Equal(7, exit.ExitCode);
        Assert.Null(await MonitorProcess.ConnectAsync(options.StateDir, cts.Token));
    }

    [Fact]
    public async Task StartAsync_MissingExecutable_ThrowsWithRuntimeText()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var options = await PrepareAsync(["nonexist"], stdin: false, cts.Token);

        var ex = await Assert.ThrowsAsync<EngineException>(() => MonitorProcess.StartAsync(options, cts.Token));

        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("executable file not found", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nonexist", ex.Message, StringComparison.Ordinal);
    }

    private async Task<MonitorStartOptions> PrepareAsync(string[] cmd, bool stdin, CancellationToken ct)
    {
        var id = "bwt-" + Guid.NewGuid().ToString("N")[..12];
        _ids.Add(id);
        var bundle = Path.Combine(_dir, id, "bundle");
        var rootfs = Path.Combine(bundle, "rootfs");
        Directory.CreateDirectory(Path.Combine(rootfs, "bin"));
        File.Copy("/usr/bin/busybox", Path.Combine(rootfs, "bin/busybox"));
        foreach (var tool in new[] { "sh", "echo", "cat", "sleep", "id" })
        {
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", tool), "busybox");
        }

        var spec = new ContainerSpec { Image = "busybox", Cmd = cmd, OpenStdin = stdin };
        var profile = SecurityProfileBuilder.Build(spec, HostSecurity.ReadCurrent());
        var oci = OciSpecBuilder.Build(new OciSpecInput(spec, new ImageConfig(), profile, rootfs, id, id[..12], $"/bulwark-test/{id}"));
        OciBundle.Write(bundle, oci, durable: false);

        var stateDir = Path.Combine(_dir, id, "state");
        return new MonitorStartOptions
        {
            MonitorPath = MonitorBinary.Path,
            ContainerId = id,
            BundleDir = bundle,
            RuntimePath = Runc,
            RuntimeRoot = Path.Combine(_dir, "runc"),
            StateDir = stateDir,
            LogPath = Path.Combine(stateDir, "container.log"),
            Stdin = stdin,
            OomCgroupDir = $"/sys/fs/cgroup/memory/bulwark-test/{id}",
        };
    }
}
