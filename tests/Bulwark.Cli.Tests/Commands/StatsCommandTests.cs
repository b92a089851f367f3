using System.Text.Json;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli.Tests.Commands;

public sealed class StatsCommandTests
{
    [Fact]
    public void Row_ComputesCpuAndMemoryAsTheDockerCli()
    {
        // 0.5 s of CPU over 2 s of system time on 4 CPUs = 100 %; 100 MiB used, 20 MiB of it inactive page cache.
        var sample = JsonDocument.Parse("""
            {"id":"0123456789abcdef","name":"/web","pids_stats":{"current":3},
             "cpu_stats":{"cpu_usage":{"total_usage":1500000000},"system_cpu_usage":6000000000,"online_cpus":4},
             "precpu_stats":{"cpu_usage":{"total_usage":1000000000},"system_cpu_usage":4000000000},
             "memory_stats":{"usage":104857600,"limit":209715200,"stats":{"inactive_file":20971520}},
             "blkio_stats":{"io_service_bytes_recursive":[{"op":"read","value":1000},{"op":"write","value":2000000}]}}
            """).RootElement;
        var row = StatsCommand.Row("web", sample, trunc: true);
        Assert.Equal("0123456789ab", row.GetProperty("ID").GetString());
        Assert.Equal("web", row.GetProperty("Name").GetString());
        Assert.Equal("100.00%", row.GetProperty("CPUPerc").GetString());
        Assert.Equal("80MiB / 200MiB", row.GetProperty("MemUsage").GetString());
        Assert.Equal("40.00%", row.GetProperty("MemPerc").GetString());
        Assert.Equal("1kB / 2MB", row.GetProperty("BlockIO").GetString());
        Assert.Equal("3", row.GetProperty("PIDs").GetString());
    }
}
