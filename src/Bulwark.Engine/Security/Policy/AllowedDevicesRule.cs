namespace Bulwark.Engine.Security.Policy;

/// <summary>allowed-devices (default none): every --device host path must be listed.</summary>
public sealed class AllowedDevicesRule : IPolicyRule
{
    public string Id => "allowed-devices";

    public void Check(DaemonPolicy policy, PolicyRequest request)
    {
        foreach (var device in request.Spec.Security.Devices)
        {
            string host = device.Split(':')[0];
            if (!policy.AllowedDevices.Contains(host, StringComparer.Ordinal))
            {
                throw PolicyEvaluator.Refuse(Id, $"HostConfig.Devices \"{device}\"",
                    policy.AllowedDevices.Count == 0
                        ? "no host device may be passed into containers on this daemon"
                        : $"{host} is not one of the daemon's allowed devices");
            }
        }
    }
}
