using System.Globalization;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Runtime.Oci;

namespace Bulwark.Engine.Security;

/// <summary>
/// One <c>--device-cgroup-rule</c> in Docker's syntax, <c>TYPE MAJOR:MINOR ACCESS</c> ("c 1:3 mr", "b 8:* rw", "a *:* m"):
/// an extra allow entry in the device cgroup, added after the default deny and allow list. It grants no device node by
/// itself (the container has no CAP_MKNOD); it lets nodes that are present be opened.
/// </summary>
public sealed record DeviceCgroupRule(string Type, long? Major, long? Minor, string Access)
{
    public static DeviceCgroupRule Parse(string rule)
    {
        string[] parts = rule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] numbers = parts.Length == 3 ? parts[1].Split(':') : [];
        if (parts.Length != 3 || parts[0] is not ("a" or "b" or "c") || numbers.Length != 2
            || !TryNumber(numbers[0], out long? major) || !TryNumber(numbers[1], out long? minor)
            || !IsAccess(parts[2]))
        {
            throw EngineException.Invalid($"invalid device cgroup format '{rule}': expected TYPE MAJOR:MINOR ACCESS, e.g. 'c 1:3 mr' (TYPE a, b or c; MAJOR/MINOR a number or *; ACCESS of r, w, m)");
        }
        return new DeviceCgroupRule(parts[0], major, minor, parts[2]);
    }

    public OciDeviceRule ToOci() => new() { Allow = true, Type = Type, Major = Major, Minor = Minor, Access = Access };

    private static bool TryNumber(string s, out long? value)
    {
        value = null;
        if (s == "*")
        {
            return true;
        }
        if (s.Length > 0 && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
        {
            value = n;
            return true;
        }
        return false;
    }

    private static bool IsAccess(string s) =>
        s.Length is > 0 and <= 3 && s.All(c => c is 'r' or 'w' or 'm') && s.Distinct().Count() == s.Length;
}
