namespace Bulwark.Engine.Containers.Health;

/// <summary>Runs one health check probe in a container.</summary>
internal interface IHealthProbe
{
    Task<HealthProbeResult> ProbeAsync(ContainerRecord r, HealthcheckSpec spec, CancellationToken ct);
}
