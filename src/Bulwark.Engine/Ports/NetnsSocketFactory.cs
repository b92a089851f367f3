using System.Collections.Concurrent;
using System.Net.Sockets;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Ports;

/// <summary>
/// Creates sockets inside one container's network namespace. A dedicated thread enters the namespace once (setns(2)
/// moves only that thread) and creates every socket asked for; a socket belongs to the namespace it was created in,
/// so the forwarders connect and copy on any thread afterwards. The thread never returns to the host namespace: it
/// ends with the factory.
/// </summary>
internal sealed class NetnsSocketFactory : IDisposable
{
    private readonly BlockingCollection<(SocketType Type, ProtocolType Protocol, TaskCompletionSource<Socket> Result)> _requests = new();
    private readonly SafeFileHandle _namespace;

    public NetnsSocketFactory(SafeFileHandle networkNamespace, string containerId)
    {
        _namespace = networkNamespace;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Serve(entered))
        {
            IsBackground = true,
            Name = "netns " + containerId[..Math.Min(12, containerId.Length)],
        };
        thread.Start();
        entered.Task.GetAwaiter().GetResult(); // setns failures surface here, at start
    }

    /// <summary>A new, unconnected IPv4 socket in the container's network namespace.</summary>
    public Task<Socket> CreateAsync(SocketType type, ProtocolType protocol)
    {
        var result = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _requests.Add((type, protocol, result));
        }
        catch (InvalidOperationException)
        {
            result.SetException(new ObjectDisposedException(nameof(NetnsSocketFactory)));
        }
        return result.Task;
    }

    private void Serve(TaskCompletionSource entered)
    {
        try
        {
            NetworkNamespace.Enter(_namespace);
        }
        catch (IOException ex)
        {
            entered.SetException(ex);
            return;
        }
        entered.SetResult();
        foreach (var (type, protocol, result) in _requests.GetConsumingEnumerable())
        {
            try
            {
                result.SetResult(new Socket(AddressFamily.InterNetwork, type, protocol));
            }
            catch (SocketException ex)
            {
                result.SetException(ex);
            }
        }
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        _namespace.Dispose();
    }
}
