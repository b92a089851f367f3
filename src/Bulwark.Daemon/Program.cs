using System.Runtime.InteropServices;
using Bulwark.Daemon.Api;
using Bulwark.Daemon.Api.Host;
using Bulwark.Daemon.Hosting;
using Bulwark.Daemon.Http;
using Bulwark.Engine;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Events;
using Bulwark.Engine.Images;
using Bulwark.Engine.Runtime;
using Bulwark.Engine.Security;
using Bulwark.Engine.Snapshots;
using Microsoft.Extensions.Logging;

namespace Bulwark.Daemon;

internal static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        DaemonOptions options;
        try
        {
            options = DaemonOptions.Parse(args);
        }
        catch (HelpRequestedException)
        {
            Console.WriteLine(DaemonOptions.Usage);
            return 0;
        }
        catch (Exception ex) when (ex is ArgumentException or EngineException)
        {
            await Console.Error.WriteLineAsync("bulwarkd: " + ex.Message).ConfigureAwait(false);
            return 1;
        }

        using var loggerFactory = LoggerFactory.Create(b => b
            .SetMinimumLevel(options.LogLevel switch { "debug" => LogLevel.Debug, "warn" => LogLevel.Warning, "error" => LogLevel.Error, _ => LogLevel.Information })
            .AddSimpleConsole(c =>
            {
                c.SingleLine = true;
                c.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                c.UseUtcTimestamp = true;
            }));
        var logger = loggerFactory.CreateLogger("bulwarkd");

        try
        {
            return await RunAsync(options, loggerFactory, logger).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EngineException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            LogFatal(logger, ex.Message);
            return 1;
        }
    }

    private static async Task<int> RunAsync(DaemonOptions options, ILoggerFactory loggerFactory, ILogger logger)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            throw new EngineException(ErrorKind.Forbidden, "bulwarkd must run as root (it creates namespaces, cgroups and mounts)");
        }
        Directory.CreateDirectory(options.DataRoot);
        File.SetUnixFileMode(options.DataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(options.ExecRoot);
        File.SetUnixFileMode(options.ExecRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // One daemon per data root: flock on a lock file held for our lifetime.
        using var dataRootLock = AcquireLock(Path.Combine(options.DataRoot, "bulwarkd.lock"));
        options = options with { DaemonId = DaemonIdentity.LoadOrCreate(options.DataRoot) };

        string monitor = options.MonitorPath ?? LocateMonitor();
        var userns = await Engine.Security.UserNamespaces.UsernsRemap.EnsureAsync(options.UsernsRemap, "/etc", CancellationToken.None).ConfigureAwait(false);
        if (userns is not null)
        {
            Engine.Security.UserNamespaces.DataRootAccess.RequireTraversable(options.DataRoot, userns);
            // Remapped container roots (runc runs their mounts as that host id) must traverse the data root to reach
            // their bundles: 0711 lets them pass through without listing anything (as Docker's data root with userns).
            File.SetUnixFileMode(options.DataRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }
        var runtimeInfo = RuntimeSelector.Detect(options.Runtime, loggerFactory.CreateLogger("runtime"));
        var engineOptions = new EngineOptions
        {
            DataRoot = options.DataRoot,
            ExecRoot = options.ExecRoot,
            MonitorPath = monitor,
            PreferredRuntime = options.Runtime,
            CgroupParent = "bulwark-" + options.DaemonId[..12],
            DefaultLogMaxSize = options.LogMaxSize,
            DefaultLogMaxFile = options.LogMaxFile,
            Policy = options.Policy,
            UserNamespace = userns,
            ApiSocketPath = options.SocketPath,
            DefaultPublishAddress = options.DefaultPublishAddress,
            UserlandProxy = options.UserlandProxy,
        };
        var events = new EventBus();
        using var images = new ImageService(options.DataRoot, loggerFactory.CreateLogger<ImageService>());
        images.RegistryOptions = new Bulwark.Engine.Registry.RegistryOptions { InsecureRegistries = options.InsecureRegistries };
        using var trust = new Engine.Trust.ContentTrust(options.ContentTrust, options.DataRoot, events, loggerFactory.CreateLogger("trust"));
        trust.RegistryOptions = images.RegistryOptions;
        images.Trust = trust;
        if (options.Policy.Scan is { } scanPolicy)
        {
            images.Admission = Admission.ScanAdmission.Open(scanPolicy, images, events, loggerFactory.CreateLogger("scan-policy"));
        }
        if (options.ContentTrust.Mode != Engine.Trust.ContentTrustMode.Disabled)
        {
            LogContentTrust(logger, options.ContentTrust.Mode.ToString().ToLowerInvariant(),
                options.ContentTrust.Pinning.RootKeys.Count + options.ContentTrust.Pinning.CertIds.Count);
        }
        var snapshots = new SnapshotService(options.DataRoot, loggerFactory.CreateLogger<SnapshotService>(), idmapProbe: options.IdmappedMounts ? userns : null);
        if (userns is not null && !snapshots.IdmappedLayers)
        {
            LogShiftedLayers(logger, options.IdmappedMounts ? "idmapped mounts are unavailable" : "daemon.json sets \"idmapped-mounts\": false");
        }
        engineOptions = engineOptions with { IdRanges = UsernsRanges.Select(options, userns, snapshots.IdmappedLayers, logger) };
        var networks = new Engine.Networks.NetworkService(engineOptions, events, loggerFactory.CreateLogger<Engine.Networks.NetworkService>());
        await networks.RestoreAsync(CancellationToken.None).ConfigureAwait(false);
        var volumes = new Engine.Volumes.VolumeService(options.DataRoot, snapshots.IdmappedLayers ? null : userns, events,
            loggerFactory.CreateLogger<Engine.Volumes.VolumeService>(), shiftedByOlderVersions: userns);
        var secrets = new Bulwark.Engine.Secrets.SecretStore(options.DataRoot);
        await using var containers = new ContainerService(engineOptions, images, snapshots, runtimeInfo, HostSecurity.ReadCurrent(), events,
            networks, volumes, loggerFactory.CreateLogger<ContainerService>(), secrets);
        await containers.RestoreAsync(CancellationToken.None).ConfigureAwait(false);

        var services = new DaemonServices(options, containers, images, events, secrets, volumes, snapshots.Driver, DateTimeOffset.UtcNow);
        var router = new DockerApiRouter(loggerFactory.CreateLogger("api"));
        ApiEndpoints.MapAll(router, services, new Access.Audit.AuditReader(new Access.Audit.AuditFiles(options.DataRoot)));
        Api.Trust.TrustEndpoints.Map(router, services);
        Api.Trust.ImageVerifyEndpoint.Map(router, services);

        using var audit = options.AuditLog ? new Access.Audit.AuditLog(new Access.Audit.AuditFiles(options.DataRoot)) : null;
        var gate = new Access.AccessGate(options.Authorization, new Access.IdentityResolver(), audit, router.HandleAsync, loggerFactory.CreateLogger("access"),
            new Access.Labels.EngineTargetLabels(services));

        var endpoints = new List<ServerEndpoint>();
        try
        {
            // TCP first: once a unix socket answers, every listener is up (scripts and tests wait on the socket).
            foreach (var host in options.Hosts.OrderBy(h => h.IsUnix))
            {
                if (host.IsUnix)
                {
                    ExecRootSocketDirectory.OpenToGroup(options.ExecRoot, host.Address, options.Group);
                    endpoints.Add(new ServerEndpoint(UnixSocketListener.Bind(host.Address, options.Group, out string? warning)));
                    if (warning is not null)
                    {
                        LogWarning(logger, warning);
                    }
                }
                else
                {
                    endpoints.Add(MutualTlsListener.Bind(host, options.Tls));
                }
            }
        }
        catch
        {
            endpoints.ForEach(e => e.Listener.Dispose());
            throw;
        }
        var commonHeaders = new List<KeyValuePair<string, string>>
        {
            new("Api-Version", ApiVersioning.Max),
            new("Docker-Experimental", "false"),
            new("Ostype", "linux"),
            new("Server", $"Bulwark/{SystemEndpoints.Version} (linux)"),
        };
        var server = new HttpServer(endpoints, gate.HandleAsync, commonHeaders, options.Limits, loggerFactory.CreateLogger("http"));

        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        LogListening(logger, string.Join(", ", options.Hosts), options.DataRoot, runtimeInfo.Name, runtimeInfo.FallbackReason ?? "none", snapshots.Driver);
        LogAccess(logger, options.Authorization is null ? "none (every caller is admin)" : options.Authorization.Bindings.Count + " bindings",
            options.AuditLog ? Path.Combine(options.DataRoot, "audit") : "off");
        await server.RunAsync(stop.Token).ConfigureAwait(false);
        foreach (var e in endpoints)
        {
            e.Listener.Dispose();
        }
        foreach (var host in options.Hosts.Where(h => h.IsUnix))
        {
            File.Delete(host.Address);
        }
        LogStopped(logger);
        return 0;
    }

    private static FileStream AcquireLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new EngineException(ErrorKind.Conflict, $"another bulwarkd is using this data root ({path} is locked)");
        }
    }

    private static string LocateMonitor()
    {
        string? env = Environment.GetEnvironmentVariable("BULWARK_MONITOR");
        string[] candidates =
        [
            env ?? "",
            Path.Combine(AppContext.BaseDirectory, "bulwark-monitor"),
            "/usr/local/libexec/bulwark/bulwark-monitor",
            "/usr/local/bin/bulwark-monitor",
        ];
        foreach (string c in candidates)
        {
            if (c.Length > 0 && File.Exists(c))
            {
                return c;
            }
        }
        throw new EngineException(ErrorKind.Unavailable,
            "bulwark-monitor not found (looked in $BULWARK_MONITOR, next to bulwarkd, /usr/local/libexec/bulwark): run ./install.sh");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "bulwarkd listening on {Socket} (data root {DataRoot}, runtime {Runtime}, runtime fallback: {Fallback}, snapshots {Driver})")]
    private static partial void LogListening(ILogger logger, string socket, string dataRoot, string runtime, string fallback, string driver);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "bulwarkd stopped; containers keep running under their monitors")]
    private static partial void LogStopped(ILogger logger);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "content trust {Mode}: {Rules} trust-pinning rules, no trust on first use")]
    private static partial void LogContentTrust(ILogger logger, string mode, int rules);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "user namespaces: layers are copied and chowned once per id range ({Reason})")]
    private static partial void LogShiftedLayers(ILogger logger, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message = "bulwarkd cannot start: {Reason}")]
    private static partial void LogFatal(ILogger logger, string reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "authorization: {Authorization}; audit log: {Audit}")]
    private static partial void LogAccess(ILogger logger, string authorization, string audit);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogWarning(ILogger logger, string warning);
}
