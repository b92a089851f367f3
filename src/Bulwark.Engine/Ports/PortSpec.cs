namespace Bulwark.Engine.Ports;

/// <summary>
/// What a create request asks to publish: explicit bindings (-p), --publish-all (-P) over every exposed port, and
/// extra exposed ports (--expose). Host addresses and ports are resolved only at start.
/// </summary>
public sealed record PortSpec
{
    public IReadOnlyList<PortBindingSpec> Bindings { get; init; } = [];
    public bool PublishAll { get; init; }
    /// <summary>"80/tcp" keys from the request (--expose and the ports of -p); the image's EXPOSE is added at create.</summary>
    public IReadOnlyList<string> Exposed { get; init; } = [];
}

/// <summary>One -p entry: the container port and protocol, the host address ("" = the daemon's default "ip") and the
/// host port (0 = chosen by the kernel at start); with <paramref name="HostPortLast"/> above it, a range the start
/// takes the first free port of (Docker's <c>-p 8000-8010:80</c>).</summary>
public sealed record PortBindingSpec(int ContainerPort, string Protocol, string HostIp, int HostPort, int HostPortLast = 0)
{
    public string Key => ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + Protocol;

    /// <summary>True for a host-port range.</summary>
    public bool IsRange => HostPort > 0 && HostPortLast > HostPort;

    /// <summary>The host port as Docker writes it: "" (kernel-chosen), "8000" or "8000-8010".</summary>
    public string HostPortText => HostPort == 0 ? ""
        : IsRange ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{HostPort}-{HostPortLast}")
        : HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A port published while the container runs: the host address and port actually bound.</summary>
public sealed record PublishedPort(int ContainerPort, string Protocol, string HostIp, int HostPort)
{
    public string Key => ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + Protocol;
}
