using Bulwark.Daemon.Access.Audit;
using Bulwark.Daemon.Api.Audit;
using Bulwark.Daemon.Api.Containers;
using Bulwark.Daemon.Api.Events;
using Bulwark.Daemon.Api.Exec;
using Bulwark.Daemon.Api.Host;
using Bulwark.Daemon.Api.Images;
using Bulwark.Daemon.Api.Networks;
using Bulwark.Daemon.Api.Secrets;
using Bulwark.Daemon.Api.Swarm;
using Bulwark.Daemon.Api.Volumes;

namespace Bulwark.Daemon.Api;

/// <summary>Every route of the API, in one place (the access layer's action table is checked against it).</summary>
internal static class ApiEndpoints
{
    public static void MapAll(DockerApiRouter router, DaemonServices services, AuditReader audit)
    {
        SystemEndpoints.Map(router, services);
        ContainerEndpoints.Map(router, services);
        ContainerUpdateEndpoint.Map(router, services);
        ImageEndpoints.Map(router, services);
        CommitEndpoint.Map(router, services);
        AuthEndpoint.Map(router, services);
        ExecEndpoints.Map(router, services);
        EventEndpoints.Map(router, services);
        StatsEndpoint.Map(router, services);
        ArchiveEndpoints.Map(router, services);
        SecretEndpoints.Map(router, services);
        NetworkEndpoints.Map(router, services);
        VolumeEndpoints.Map(router, services);
        AuditEndpoints.Map(router, audit);
        SwarmEndpoints.Map(router);
        Incident.IncidentEndpoints.Map(router, services);
        Incident.EvidenceEndpoints.Map(router, services);
    }
}
