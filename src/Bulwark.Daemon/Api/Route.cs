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
        // "{name*}" as the last segment swallows the rest (image names contain slashes).
        bool greedy = _segments[^1].EndsWith("*}", StringComparison.Ordinal);
        if (greedy ? path.Length < _segments.Length : path.Length != _segments.Length)
        {
            return false;
        }
        for (int i = 0; i < _segments.Length; i++)
        {
            string seg = _segments[i];
            if (seg.StartsWith('{'))
            {
                if (greedy && i == _segments.Length - 1)
                {
                    values[seg[1..^2]] = string.Join('/', path[i..]);
                    return true;
                }
                values[seg[1..^1]] = path[i];
            }
            else if (!seg.Equals(path[i], StringComparison.Ordinal))
            {
                values.Clear();
                return false;
            }
        }
        return true;
    }
}
