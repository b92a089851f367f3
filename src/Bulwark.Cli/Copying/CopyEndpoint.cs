namespace Bulwark.Cli.Copying;

/// <summary>One side of <c>cp</c>: <c>CONTAINER:PATH</c> or a local path (one that starts with / or . is always local).</summary>
internal sealed record CopyEndpoint(string? Container, string Path)
{
    public static CopyEndpoint Parse(string argument)
    {
        if (argument.StartsWith('/') || argument.StartsWith('.'))
        {
            return new CopyEndpoint(null, argument);
        }

        var colon = argument.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return new CopyEndpoint(null, argument);
        }

        var path = argument[(colon + 1)..];
        if (path.Length == 0)
        {
            throw new CliException(1, $"\"{argument}\": the path inside the container is empty (use CONTAINER:/path)");
        }

        return new CopyEndpoint(argument[..colon], path);
    }
}
