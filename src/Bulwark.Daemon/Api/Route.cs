using Bulwark.Daemon.Http;

namespace Bulwark.Daemon.Api;

/// <summary>One API route: method, a path template such as <c>/containers/{id}/start</c>, and its handler.</summary>
internal sealed class Route
{
    private readonly string[] _segments;

    public Route(string method, string template, Func<HttpContext, Task> handler)
    {
        Method = method;
        Template = template;
        Handler = handler;
        _segments = template.Trim('/').Split('/');
    }

    public string Method { get; }
    public string Template { get; }
    public Func<HttpContext, Task> Handler { get; }

    public bool TryMatch(string[] path, Dictionary<string, string> values)
    {
        // One "{name*}" segment may swallow several path segments (image names contain slashes);
        // the segments before it match from the start, the ones after it from the end.
        int greedy = Array.FindIndex(_segments, seg => seg.EndsWith("*}", StringComparison.Ordinal));
        if (greedy < 0 ? path.Length != _segments.Length : path.Length < _segments.Length)
        {
            return false;
        }
        int tail = greedy < 0 ? 0 : _segments.Length - greedy - 1;
        for (int i = 0; i < _segments.Length; i++)
        {
            string seg = _segments[i];
            if (i == greedy)
            {
                values[seg[1..^2]] = string.Join('/', path[i..(path.Length - tail)]);
                continue;
            }
            string actual = greedy >= 0 && i > greedy ? path[path.Length - (_segments.Length - i)] : path[i];
            if (seg.StartsWith('{'))
            {
                values[seg[1..^1]] = actual;
            }
            else if (!seg.Equals(actual, StringComparison.Ordinal))
            {
                values.Clear();
                return false;
            }
        }
        return true;
    }
}
