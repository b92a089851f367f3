using System.CommandLine;
using Bulwark.Api.Models.Containers;
using Bulwark.Cli.Parsing;

namespace Bulwark.Cli.Commands;

/// <summary><c>bulwark update</c>: the docker CLI's flags for changing a container's resources and restart policy.</summary>
internal static class UpdateCommand
{
    public static Command Create(CliContext context)
    {
        var cpus = new Option<string>("--cpus") { Description = "Number of CPUs (e.g. 0.5)" };
        var cpuShares = new Option<long?>("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
        var cpuQuota = new Option<long?>("--cpu-quota") { Description = "Limit CPU CFS (Completely Fair Scheduler) quota" };
        var cpuPeriod = new Option<long?>("--cpu-period") { Description = "Limit CPU CFS (Completely Fair Scheduler) period" };
        var cpusetCpus = new Option<string>("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
        var memory = new Option<string>("--memory", "-m") { Description = "Memory limit (e.g. 64m)" };
        var memorySwap = new Option<string>("--memory-swap") { Description = "Swap limit equal to memory plus swap: -1 to enable unlimited swap" };
        var memoryReservation = new Option<string>("--memory-reservation") { Description = "Memory soft limit" };
        var pidsLimit = new Option<long?>("--pids-limit") { Description = "Tune container pids limit (set -1 for unlimited)" };
        var restart = new Option<string>("--restart") { Description = "Restart policy to apply when a container exits" };
        var names = new Argument<string[]>("CONTAINER") { Arity = ArgumentArity.OneOrMore };
        var command = new Command("update", "Update configuration of one or more containers")
        {
            cpus, cpuShares, cpuQuota, cpuPeriod, cpusetCpus, memory, memorySwap, memoryReservation, pidsLimit, restart, names,
        };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            var swapText = result.GetValue(memorySwap);
            var restartText = result.GetValue(restart);
            var request = new ContainerUpdateRequest
            {
                NanoCpus = CreateRequestBuilder.NanoCpus(result.GetValue(cpus)),
                CpuShares = result.GetValue(cpuShares) ?? 0,
                CpuQuota = result.GetValue(cpuQuota) ?? 0,
                CpuPeriod = result.GetValue(cpuPeriod) ?? 0,
                CpusetCpus = result.GetValue(cpusetCpus) ?? "",
                Memory = CreateRequestBuilder.Size(result.GetValue(memory), "-m, --memory"),
                MemorySwap = swapText == "-1" ? -1 : CreateRequestBuilder.Size(swapText, "--memory-swap"),
                MemoryReservation = CreateRequestBuilder.Size(result.GetValue(memoryReservation), "--memory-reservation"),
                PidsLimit = result.GetValue(pidsLimit),
                RestartPolicy = string.IsNullOrEmpty(restartText) ? null : CreateRequestBuilder.ParseRestart(restartText),
            };
            bool any = request.NanoCpus != 0 || request.CpuShares != 0 || request.CpuQuota != 0 || request.CpuPeriod != 0
                || request.CpusetCpus.Length > 0 || request.Memory != 0 || request.MemorySwap != 0 || request.MemoryReservation != 0
                || request.PidsLimit is not null || request.RestartPolicy is not null;
            if (!any)
            {
                throw new CliException(1, "you must provide one or more flags when using this command");
            }

            using var client = context.CreateClient(result);
            return await context.ForEachAsync(result.GetValue(names)!, async name =>
            {
                foreach (var warning in await client.ContainerUpdateAsync(name, request, ct).ConfigureAwait(false))
                {
                    await context.Error.WriteLineAsync(warning).ConfigureAwait(false);
                }
                return name;
            }).ConfigureAwait(false);
        }));
        return command;
    }
}
