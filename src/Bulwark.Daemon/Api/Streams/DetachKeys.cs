using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Streams;

/// <summary>
/// Docker's detach sequence on a TTY attach (default ctrl-p,ctrl-q): bytes that may start the sequence are held back;
/// the full sequence ends the attachment (the container keeps running), anything else releases them to stdin.
/// </summary>
internal sealed class DetachKeys
{
    private readonly byte[] _sequence;
    private int _matched;

    private DetachKeys(byte[] sequence) => _sequence = sequence;

    public static DetachKeys Parse(string? spec)
    {
        string value = string.IsNullOrEmpty(spec) ? "ctrl-p,ctrl-q" : spec;
        var bytes = new List<byte>();
        foreach (string key in value.Split(','))
        {
            string k = key.Trim();
            if (k.Length == 1)
            {
                bytes.Add((byte)k[0]);
            }
            else if (k.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && k.Length == 6)
            {
                char c = char.ToLowerInvariant(k[5]);
                bytes.Add(c switch
                {
                    >= 'a' and <= 'z' => (byte)(c - 'a' + 1),
                    '@' => 0,
                    '[' => 27,
                    '\\' => 28,
                    ']' => 29,
                    '^' => 30,
                    '_' => 31,
                    _ => throw EngineException.Invalid($"Invalid escape keys ({value}) provided"),
                });
            }
            else
            {
                throw EngineException.Invalid($"Invalid escape keys ({value}) provided");
            }
        }
        return new DetachKeys([.. bytes]);
    }

    /// <summary>
    /// Filters one chunk of client input: returns the bytes to pass to the container and whether the full sequence
    /// was typed (then nothing after it is passed on).
    /// </summary>
    public (byte[] Forward, bool Detach) Filter(ReadOnlySpan<byte> input)
    {
        var forward = new List<byte>(input.Length);
        foreach (byte b in input)
        {
            if (b == _sequence[_matched])
            {
                _matched++;
                if (_matched == _sequence.Length)
                {
                    _matched = 0;
                    return ([.. forward], true);
                }
                continue;
            }
            // A partial match that broke off was ordinary input after all.
            forward.AddRange(_sequence.AsSpan(0, _matched).ToArray());
            _matched = 0;
            if (b == _sequence[0])
            {
                _matched = 1;
                continue;
            }
            forward.Add(b);
        }
        return ([.. forward], false);
    }
}
