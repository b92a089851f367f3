namespace Bulwark.Audit.Versions;

/// <summary>Orders version strings of one packaging ecosystem.</summary>
public interface IVersionComparer
{
    /// <summary>Negative when <paramref name="left"/> is older, zero when equal, positive when newer.</summary>
    int Compare(string left, string right);
}
