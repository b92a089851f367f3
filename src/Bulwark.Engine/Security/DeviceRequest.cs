using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;
using Bulwark.Native;

namespace Bulwark.Engine.Security;

/// <summary>One --device request: "host[:container][:permissions]" with permissions a subset of "rwm".</summary>
public sealed record DeviceRequest(string HostPath, string ContainerPath, string Permissions)
{
    public static DeviceRequest Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 1 or > 3 || parts[0].Length == 0)
        {
            throw EngineException.Invalid($"invalid device specification: {text}");
        }

        string host = parts[0];
        string container = parts.Length >= 2 && parts[1].StartsWith('/') ? parts[1] : host;
        string perms = parts.Length == 3 ? parts[2] : parts.Length == 2 && !parts[1].StartsWith('/') ? parts[1] : "rwm";
        if (!host.StartsWith('/') || !container.StartsWith('/'))
        {
            throw EngineException.Invalid($"invalid device specification: {text}: paths must be absolute");
        }

        if (perms.Length == 0 || perms.Any(c => c is not ('r' or 'w' or 'm')))
        {
            throw EngineException.Invalid($"invalid device specification: {text}: permissions must be a combination of r, w and m");
        }

        return new DeviceRequest(host, container, perms);
    }

    /// <summary>The device node and the cgroup rule that allows it, from the host node's lstat.</summary>
    public (OciDevice Device, OciDeviceRule Rule) Resolve()
    {
        if (Interop.Fstatat(Interop.AtFdCwd, HostPath, out var st, 0) != 0)
        {
            throw EngineException.Invalid($"HostConfig.Devices \"{HostPath}\": the host has no device at this path (errno {Errno.Last.ToString(CultureInfo.InvariantCulture)})");
        }

        uint type = st.Mode & Interop.SIfMt;
        string kind = type switch
        {
            Interop.SIfChr => "c",
            Interop.SIfBlk => "b",
            _ => throw EngineException.Invalid($"HostConfig.Devices \"{HostPath}\": not a character or block device"),
        };
        long major = (long)(((st.Rdev >> 8) & 0xfff) | ((st.Rdev >> 32) & ~0xfffUL));
        long minor = (long)((st.Rdev & 0xff) | ((st.Rdev >> 12) & ~0xffUL));
        var device = new OciDevice
        {
            Path = ContainerPath, Type = kind, Major = major, Minor = minor, FileMode = st.Mode & 0xFFF, Uid = 0, Gid = 0,
        };
        var rule = new OciDeviceRule { Allow = true, Type = kind, Major = major, Minor = minor, Access = Permissions };
        return (device, rule);
    }
}
