using System.Text;
using Bulwark.Engine.Containers.Exec;
using Bulwark.Engine.Errors;

namespace Bulwark.Engine.Containers.Health;

/// <summary>Runs a health check's command as an exec in the container, with its timeout; keeps the first 4 KiB of output.</summary>
internal sealed class ExecHealthProbe(ExecService execs) : IHealthProbe
{
    private const int HealthOutputLimit = 4096;

    public async Task<HealthProbeResult> ProbeAsync(ContainerRecord r, HealthcheckSpec spec, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        IReadOnlyList<string> cmd = spec.Command[0] == "CMD-SHELL"
            ? ["/bin/sh", "-c", string.Join(' ', spec.Command.Skip(1))]
            : [.. spec.Command.Skip(1)];
        try
        {
            var exec = execs.CreateExec(r.Id, new ExecSpec { Cmd = cmd });
            using var session = exec.Streams.Attach(stdin: false, stdout: true, stderr: true);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(spec.Timeout);
            Task<int> exited = await execs.StartExecAsync(exec.Id, timeout.Token).ConfigureAwait(false);
            var output = new StringBuilder();
            try
            {
                await foreach (var (_, data) in session.Output.ReadAllAsync(timeout.Token).ConfigureAwait(false))
                {
                    if (output.Length < HealthOutputLimit)
                    {
                        output.Append(Encoding.UTF8.GetString(data));
                    }
                }
                int code = await exited.WaitAsync(timeout.Token).ConfigureAwait(false);
                return new HealthProbeResult(start, DateTimeOffset.UtcNow, code, Truncate(output));
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                if (exec.Pid > 0)
                {
                    try
                    {
                        Native.ProcessSignals.Kill(exec.Pid, 9);
                    }
                    catch (IOException)
                    {
                    }
                }
                return new HealthProbeResult(start, DateTimeOffset.UtcNow, -1,
                    $"Health check exceeded timeout ({spec.Timeout.TotalSeconds}s)");
            }
        }
        catch (EngineException ex)
        {
            return new HealthProbeResult(start, DateTimeOffset.UtcNow, -1, ex.Message);
        }
    }

    private static string Truncate(StringBuilder sb) => sb.Length > HealthOutputLimit ? sb.ToString(0, HealthOutputLimit) : sb.ToString();
}
