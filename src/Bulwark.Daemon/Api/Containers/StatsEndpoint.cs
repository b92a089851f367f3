using System.Text.Json;
using Bulwark.Daemon.Http;
using Bulwark.Engine.Containers;
using Bulwark.Engine.Stats;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>
/// <c>GET /containers/{id}/stats</c> in Docker's shape, from which the docker CLI computes CPU % and memory.
/// stream=0 takes two samples 100 ms apart so precpu_stats is filled without moby's one-second wait.
/// </summary>
internal static class StatsEndpoint
{
    private static readonly TimeSpan OneShotGap = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StreamInterval = TimeSpan.FromSeconds(1);

    public static void Map(DockerApiRouter router, DaemonServices s) => router.Map("GET", "/containers/{id}/stats", ctx => StatsAsync(ctx, s));

    private static async Task StatsAsync(HttpContext ctx, DaemonServices s)
    {
        string id = ctx.RouteValues["id"];
        var record = s.Containers.Get(id);
        bool stream = ctx.Request.Query.Bool("stream", defaultValue: true);
        bool oneShot = ctx.Request.Query.Bool("one-shot");
        var body = await ctx.Response.StartChunkedAsync(200, "application/json", ctx.Aborted).ConfigureAwait(false);
        StatsSample? previous = null;
        if (!stream && !oneShot)
        {
            previous = s.Containers.ReadStats(id);
            if (previous is not null)
            {
                await Task.Delay(OneShotGap, ctx.Aborted).ConfigureAwait(false);
            }
        }
        while (true)
        {
            StatsSample? current;
            try
            {
                current = s.Containers.ReadStats(id);
            }
            catch (Bulwark.Engine.Errors.EngineException)
            {
                break; // removed meanwhile
            }
            await body.WriteAsync(Render(record, current, previous), ctx.Aborted).ConfigureAwait(false);
            if (!stream || current is null)
            {
                break;
            }
            previous = current;
            await Task.Delay(StreamInterval, ctx.Aborted).ConfigureAwait(false);
        }
        await body.CompleteAsync(ctx.Aborted).ConfigureAwait(false);
    }

    internal static byte[] Render(ContainerRecord r, StatsSample? cur, StatsSample? pre)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("read", cur is null ? "0001-01-01T00:00:00Z" : ContainerViewMapper.Time(cur.Read));
            w.WriteString("preread", pre is null ? "0001-01-01T00:00:00Z" : ContainerViewMapper.Time(pre.Read));
            w.WriteStartObject("pids_stats");
            if (cur is not null)
            {
                w.WriteNumber("current", cur.PidsCurrent);
                if (cur.PidsLimit > 0)
                {
                    w.WriteNumber("limit", cur.PidsLimit);
                }
            }
            w.WriteEndObject();
            w.WriteStartObject("blkio_stats");
            w.WriteStartArray("io_service_bytes_recursive");
            foreach (var e in cur?.IoServiceBytes ?? [])
            {
                w.WriteStartObject();
                w.WriteNumber("major", e.Major);
                w.WriteNumber("minor", e.Minor);
                w.WriteString("op", e.Op);
                w.WriteNumber("value", e.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteNumber("num_procs", 0);
            w.WriteStartObject("storage_stats");
            w.WriteEndObject();
            WriteCpu(w, "cpu_stats", cur);
            WriteCpu(w, "precpu_stats", pre);
            w.WriteStartObject("memory_stats");
            if (cur is not null)
            {
                w.WriteNumber("usage", cur.MemoryUsage);
                if (cur.CgroupVersion == 1)
                {
                    w.WriteNumber("max_usage", cur.MemoryMaxUsage);
                }
                w.WriteStartObject("stats");
                foreach (var kv in cur.MemoryStat)
                {
                    w.WriteNumber(kv.Key, kv.Value);
                }
                w.WriteEndObject();
                w.WriteNumber("failcnt", cur.MemoryFailcnt);
                w.WriteNumber("limit", cur.MemoryLimit);
            }
            w.WriteEndObject();
            if (cur is { Networks.Count: > 0 })
            {
                // Docker's shape: one object per interface of the container's namespace.
                w.WriteStartObject("networks");
                foreach (var (name, c) in cur.Networks)
                {
                    w.WriteStartObject(name);
                    w.WriteNumber("rx_bytes", c.RxBytes);
                    w.WriteNumber("rx_packets", c.RxPackets);
                    w.WriteNumber("rx_errors", c.RxErrors);
                    w.WriteNumber("rx_dropped", c.RxDropped);
                    w.WriteNumber("tx_bytes", c.TxBytes);
                    w.WriteNumber("tx_packets", c.TxPackets);
                    w.WriteNumber("tx_errors", c.TxErrors);
                    w.WriteNumber("tx_dropped", c.TxDropped);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.WriteString("name", "/" + r.Name);
            w.WriteString("id", r.Id);
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteCpu(Utf8JsonWriter w, string name, StatsSample? s)
    {
        w.WriteStartObject(name);
        w.WriteStartObject("cpu_usage");
        w.WriteNumber("total_usage", s?.CpuTotalNs ?? 0);
        if (s is { PerCpuNs.Count: > 0 })
        {
            w.WriteStartArray("percpu_usage");
            foreach (ulong v in s.PerCpuNs)
            {
                w.WriteNumberValue(v);
            }
            w.WriteEndArray();
        }
        w.WriteNumber("usage_in_kernelmode", s?.CpuKernelNs ?? 0);
        w.WriteNumber("usage_in_usermode", s?.CpuUserNs ?? 0);
        w.WriteEndObject();
        if (s is not null)
        {
            w.WriteNumber("system_cpu_usage", s.SystemCpuNs);
            w.WriteNumber("online_cpus", s.OnlineCpus);
        }
        w.WriteStartObject("throttling_data");
        w.WriteNumber("periods", s?.ThrottlePeriods ?? 0);
        w.WriteNumber("throttled_periods", s?.ThrottledPeriods ?? 0);
        w.WriteNumber("throttled_time", s?.ThrottledTimeNs ?? 0);
        w.WriteEndObject();
        w.WriteEndObject();
    }

}
