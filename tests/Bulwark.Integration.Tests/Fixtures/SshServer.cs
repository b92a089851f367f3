using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Bulwark.Integration.Tests.Fixtures;

/// <summary>
/// A real OpenSSH server (Debian's openssh-server) on 127.0.0.1, with a test-made host key and user key, its own
/// sshd_config (no PAM, keys only, AuthorizedKeysFile in the test directory) and an ssh_config for clients
/// (<see cref="ClientConfig"/>: that key, a known_hosts holding exactly that host key). Sessions get
/// <see cref="BinDirectory"/> first on PATH and BULWARK_HOST pointing at the given daemon socket.
/// </summary>
public sealed class SshServer : IAsyncDisposable
{
    public const string Sshd = "/usr/sbin/sshd";
    private const string PrivilegeSeparationDir = "/run/sshd";
    private readonly StringBuilder _log = new();
    private Process? _process;
    private bool _createdPrivsepDir;

    private SshServer(string dir) => Directory = dir;

    public string Directory { get; }

    public int Port { get; private set; }

    /// <summary>ssh_config for clients: <c>ssh -F</c> this file.</summary>
    public string ClientConfig => Path.Combine(Directory, "ssh_config");

    /// <summary>First on the PATH of ssh sessions: put the far side's programs here.</summary>
    public string BinDirectory => Path.Combine(Directory, "bin");

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static async Task<SshServer> StartAsync(string daemonSocket)
    {
        Assert.True(File.Exists(Sshd), $"{Sshd} is missing: install openssh-server (test.sh TEST_PACKAGES)");
        var server = new SshServer(System.IO.Directory.CreateTempSubdirectory("bwssh-").FullName);
        try
        {
            await server.PrepareAsync(daemonSocket);
            await server.StartProcessAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task PrepareAsync(string daemonSocket)
    {
        // Readable by the non-root test users (sshd reads authorized_keys as the user); nothing here is writable by them.
        File.SetUnixFileMode(Directory, (UnixFileMode)Convert.ToInt32("755", 8));
        System.IO.Directory.CreateDirectory(BinDirectory);
        if (!System.IO.Directory.Exists(PrivilegeSeparationDir))
        {
            System.IO.Directory.CreateDirectory(PrivilegeSeparationDir);
            File.SetUnixFileMode(PrivilegeSeparationDir, (UnixFileMode)Convert.ToInt32("755", 8));
            _createdPrivsepDir = true;
        }

        foreach (string key in new[] { "host_key", "user_key" })
        {
            var gen = await ProcessRunner.RunAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", Path.Combine(Directory, key)]);
            Assert.True(gen.ExitCode == 0, gen.ToString());
        }

        File.Copy(Path.Combine(Directory, "user_key.pub"), Path.Combine(Directory, "authorized_keys"));
        File.SetUnixFileMode(Path.Combine(Directory, "authorized_keys"), (UnixFileMode)Convert.ToInt32("644", 8));
        File.WriteAllText(Path.Combine(Directory, "sshd_env"), daemonSocket);
    }

    private string WriteConfigs(int port)
    {
        string d = Directory;
        string config = Path.Combine(d, "sshd_config");
        File.WriteAllText(config, $"""
            Port {port}
            ListenAddress 127.0.0.1
            HostKey {d}/host_key
            PidFile none
            AuthorizedKeysFile {d}/authorized_keys
            AuthenticationMethods publickey
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            PermitRootLogin prohibit-password
            PrintMotd no
            LogLevel VERBOSE
            SetEnv PATH={BinDirectory}:/usr/local/bin:/usr/bin:/bin BULWARK_HOST=unix://{File.ReadAllText(Path.Combine(d, "sshd_env"))}

            """);
        string hostKey = File.ReadAllText(Path.Combine(d, "host_key.pub")).Trim();
        File.WriteAllText(Path.Combine(d, "known_hosts"), $"[127.0.0.1]:{port} {hostKey}\n");
        File.WriteAllText(ClientConfig, $"""
            Host 127.0.0.1
              IdentityFile {d}/user_key
              IdentitiesOnly yes
              UserKnownHostsFile {d}/known_hosts
              StrictHostKeyChecking yes
              BatchMode yes
              LogLevel ERROR

            """);
        return config;
    }

    private async Task StartProcessAsync()
    {
        // sshd takes a port number, not a listening socket: take a free one from the kernel and retry if it was taken.
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            var psi = new ProcessStartInfo(Sshd) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in new[] { "-D", "-e", "-f", WriteConfigs(Port) })
            {
                psi.ArgumentList.Add(a);
            }

            _process = Process.Start(psi)!;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
            if (await WaitForBannerAsync())
            {
                return;
            }

            await StopAsync();
            if (attempt == 2)
            {
                throw new InvalidOperationException("sshd did not start:\n" + Log);
            }
        }
    }

    private async Task<bool> WaitForBannerAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline && _process is { HasExited: false })
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                var buffer = new byte[8];
                int n = await client.GetStream().ReadAsync(buffer);
                if (n > 0 && Encoding.ASCII.GetString(buffer, 0, n).StartsWith("SSH-", StringComparison.Ordinal))
                {
                    return true;
                }
            }
            catch (SocketException)
            {
            }

            await Task.Delay(50);
        }

        return false;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task StopAsync()
    {
        if (_process is { } p)
        {
            _process = null;
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }

            await p.WaitForExitAsync();
            p.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
        if (_createdPrivsepDir)
        {
            System.IO.Directory.Delete(PrivilegeSeparationDir);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"sshd on 127.0.0.1:{Port} ({Directory})");
}
