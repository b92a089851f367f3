using System.Threading.Channels;

namespace Bulwark.Engine.Events;

/// <summary>In-memory event fan-out with a replay buffer of the last 256 events.</summary>
public sealed class EventBus
{
    private const int ReplayCapacity = 256;
    private readonly Lock _lock = new();
    private readonly LinkedList<EngineEvent> _replay = new();
    private readonly List<Channel<EngineEvent>> _subscribers = [];

    public void Publish(EngineEvent e)
    {
        lock (_lock)
        {
            _replay.AddLast(e);
            if (_replay.Count > ReplayCapacity)
            {
                _replay.RemoveFirst();
            }
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>Returns past events and a live subscription, taken atomically so nothing falls between them.</summary>
    public (IReadOnlyList<EngineEvent> Past, ChannelReader<EngineEvent> Live, IDisposable Subscription) Subscribe()
    {
        var channel = Channel.CreateBounded<EngineEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            _subscribers.Add(channel);
            return ([.. _replay], channel.Reader, new Unsubscriber(this, channel));
        }
    }

    private sealed class Unsubscriber(EventBus bus, Channel<EngineEvent> channel) : IDisposable
    {
        public void Dispose()
        {
            lock (bus._lock)
            {
                bus._subscribers.Remove(channel);
            }
            channel.Writer.TryComplete();
        }
    }
}
