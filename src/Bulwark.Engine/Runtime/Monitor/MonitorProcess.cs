using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Runtime.Monitor;

/// <summary>Starts bulwark-monitor processes and reattaches to running ones.</summary>
public static class MonitorProcess
{
    public const string SocketName = "monitor.sock";
    public const string ExitFileName = "exit";
    public const string MonitorPidFileName = "monitor.pid";

    /// <summary>
    /// Spawns the monitor, which starts the container. Returns once the container runs; if the runtime fails, throws
    /// <see cref="EngineException"/> (InvalidArgument) whose message is the runtime's own error text.
    /// </summary>
    public static async Task<MonitorSession> StartAsync(MonitorStartOptions options, CancellationToken ct)
    {
        Directory.CreateDirectory(options.StateDir);
        File.Delete(Path.Combine(options.StateDir, ExitFileName));
        var psi = new ProcessStartInfo(options.MonitorPath)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] args =
        [
            "--id", options.ContainerId, "--bundle", options.BundleDir, "--runtime", options.RuntimePath,
            "--runtime-root", options.RuntimeRoot, "--state-dir", options.StateDir, "--log", options.LogPath,
            "--log-max-size", options.LogMaxSizeBytes.ToString(CultureInfo.InvariantCulture),
            "--log-max-file", options.LogMaxFiles.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (options.Tty)
        {
            psi.ArgumentList.Add("--tty");
        }

        if (options.Stdin)
        {
            psi.ArgumentList.Add("--stdin");
        }

        if (options.ExecProcessPath is not null)
        {
            psi.ArgumentList.Add("--exec-process");
            psi.ArgumentList.Add(options.ExecProcessPath);
        }

        if (options.OomCgroupDir is not null)
        {
            psi.ArgumentList.Add("--oom-cgroup");
            psi.ArgumentList.Add(options.OomCgroupDir);
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException("Process.Start returned null");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new EngineException(ErrorKind.Internal, $"cannot start monitor {options.MonitorPath}: {ex.Message}", ex);
        }

        var diagnostics = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var input = process.StandardOutput.BaseStream;
        var output = process.StandardInput.BaseStream;
        try
        {
            while (true)
            {
                var frame = await MonitorFrame.ReadAsync(input, ct).ConfigureAwait(false);
                if (frame is null)
                {
                    await process.WaitForExitAsync(ct).ConfigureAwait(false);
                    var text = (await diagnostics.ConfigureAwait(false)).Trim();
                    throw new EngineException(
                        ErrorKind.Internal,
                        $"container {options.ContainerId}: monitor exited (status {process.ExitCode}) before starting it: {text}");
                }

                var (type, payload) = frame.Value;
                if (type == MonitorFrame.Failed)
                {
                    await process.WaitForExitAsync(ct).ConfigureAwait(false);
                    throw EngineException.Invalid(Encoding.UTF8.GetString(payload).Trim());
                }

                if (type == MonitorFrame.Started)
                {
                    var pid = int.Parse(Encoding.ASCII.GetString(payload), NumberStyles.None, CultureInfo.InvariantCulture);
                    return new MonitorSession(input, output, options.StateDir, pid, process.Id, process);
                }
            }
        }
        catch
        {
            input.Dispose();
            output.Dispose();
            process.Dispose();
            throw;
        }
    }

    /// <summary>Reattaches to a running monitor via its socket; null when there is none (or its container already exited).</summary>
    public static async Task<MonitorSession?> ConnectAsync(string stateDir, CancellationToken ct)
    {
        var path = Path.Combine(stateDir, SocketName);
        if (!File.Exists(path))
        {
            return null;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            while (true)
            {
                (byte Type, byte[] Payload)? frame;
                try
                {
                    frame = await MonitorFrame.ReadAsync(stream, ct).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    frame = null;
                }

                if (frame is null || frame.Value.Type == MonitorFrame.Failed)
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                    return null;
                }

                if (frame.Value.Type == MonitorFrame.Started)
                {
                    var pid = int.Parse(Encoding.ASCII.GetString(frame.Value.Payload), NumberStyles.None, CultureInfo.InvariantCulture);
                    return new MonitorSession(stream, stream, stateDir, pid, ReadMonitorPid(stateDir), null);
                }
            }
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The exit record the monitor wrote ("code oom finishedNanos"), or null when there is none.</summary>
    public static ExitStatus? ReadExitFile(string stateDir)
    {
        var path = Path.Combine(stateDir, ExitFileName);
        try
        {
            return ParseExit(File.ReadAllText(path));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The monitor's pid from monitor.pid, or 0.</summary>
    public static int ReadMonitorPid(string stateDir)
    {
        try
        {
            return int.TryParse(File.ReadAllText(Path.Combine(stateDir, MonitorPidFileName)).Trim(), NumberStyles.None,
                CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    internal static ExitStatus? ParseExit(string text)
    {
        var parts = text.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 3
            || !int.TryParse(parts[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var nanos))
        {
            return null;
        }

        return new ExitStatus(code, parts[1] == "1", DateTimeOffset.UnixEpoch.AddTicks(nanos / 100));
    }
}
