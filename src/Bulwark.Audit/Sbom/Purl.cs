using System.Text;

namespace Bulwark.Audit.Sbom;

/// <summary>Package URLs (https://github.com/package-url/purl-spec): <c>pkg:type/namespace/name@version?qualifiers</c>.</summary>
public static class Purl
{
    public static string Create(string type, string? ns, string name, string version, params (string Key, string? Value)[] qualifiers)
    {
        var sb = new StringBuilder("pkg:").Append(type).Append('/');
        if (ns is { Length: > 0 })
        {
            sb.AppendJoin('/', ns.Split('/').Select(Encode)).Append('/');
        }

        sb.Append(Encode(name));
        if (version.Length > 0)
        {
            sb.Append('@').Append(Encode(version));
        }

        var present = qualifiers.Where(q => q.Value is { Length: > 0 }).OrderBy(q => q.Key, StringComparer.Ordinal).ToList();
        for (int i = 0; i < present.Count; i++)
        {
            sb.Append(i == 0 ? '?' : '&').Append(present[i].Key).Append('=').Append(Encode(present[i].Value!));
        }

        return sb.ToString();
    }

    private static string Encode(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            char c = (char)b;
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' or '~' ? c.ToString() : $"%{b:X2}");
        }

        return sb.ToString();
    }
}
