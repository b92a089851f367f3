using System.Collections.Concurrent;
using System.Net.Sockets;
using Bulwark.Native;
using Microsoft.Win32.SafeHandles;

namespace Bulwark.Engine.Ports;

/// <summary>
/// Creates sockets inside one container's network namespace. A dedicated thread enters the namespace once (setns(2)
/// moves only that thread) and creates every socket asked for; a socket belongs to the namespace it was created in,
/// so the forwarders connect and copy on any thread afterwards. The thread never returns to the host namespace: it
/// ends with the factory. A few TCP sockets are made ahead of time, so a new connection usually takes one at once
/// instead of waiting for the namespace thread to wake up.
/// </summary>
internal sealed class NetnsSocketFactory : IDisposable
{
    /// <summary>Socket requests; a null result asks for the ready TCP sockets to be topped up.</summary>
    private readonly BlockingCollection<(SocketType Type, ProtocolType Protocol, TaskCompletionSource<Socket>? Result)> _requests = new();
    private readonly SafeFileHandle _namespace;
    private readonly ConcurrentQueue<Socket> _readyTcp = new();
    private const int ReadyTcpSockets = 8;

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
        if (type == SocketType.Stream && _readyTcp.TryDequeue(out var ready))
        {
            Refill();
            return Task.FromResult(ready);
        }
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

    /// <summary>A TCP socket made ahead, or null when none is ready (then <see cref="CreateAsync"/> waits for one).</summary>
    public Socket? TryTake()
    {
        if (!_readyTcp.TryDequeue(out var ready))
        {
            return null;
        }
        Refill();
        return ready;
    }

    /// <summary>Asks the namespace thread to top up the ready TCP sockets (a request with no result).</summary>
    private void Refill()
    {
        try
        {
            _requests.TryAdd((SocketType.Unknown, ProtocolType.Tcp, null));
        }
        catch (InvalidOperationException)
        {
            // Disposed.
        }
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
        TopUp();
        entered.SetResult();
        foreach (var (type, protocol, result) in _requests.GetConsumingEnumerable())
        {
            if (result is null)
            {
                TopUp();
                continue;
            }
            try
            {
                result.SetResult(new Socket(AddressFamily.InterNetwork, type, protocol));
            }
            catch (SocketException ex)
            {
                result.SetException(ex);
            }
        }
        while (_readyTcp.TryDequeue(out var unused))
        {
            unused.Dispose();
        }
    }

    private void TopUp()
    {
        try
        {
            while (_readyTcp.Count < ReadyTcpSockets)
            {
                _readyTcp.Enqueue(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            }
        }
        catch (SocketException)
        {
            // Out of descriptors: connections fall back to asking the thread one by one.
        }
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        _namespace.Dispose();
    }
}
