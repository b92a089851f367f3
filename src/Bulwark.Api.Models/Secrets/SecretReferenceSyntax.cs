using System.Globalization;

namespace Bulwark.Api.Models.Secrets;

/// <summary>
/// The text form of a secret reference, shared by <c>bulwark run --secret</c> and the <c>com.bulwark.secrets</c>
/// label (for the docker CLI, which cannot send <c>BulwarkSecrets</c>):
/// <c>NAME[@VERSION][,target=FILE][,uid=N][,gid=N][,mode=OCTAL]</c> (<c>source=NAME</c> also names the secret);
/// the label holds several, separated by <c>;</c>.
/// </summary>
public static class SecretReferenceSyntax
{
    public const string Label = "com.bulwark.secrets";

    /// <exception cref="FormatException">naming the part that is wrong.</exception>
    public static SecretReference Parse(string text)
    {
        var reference = new SecretReference { File = new SecretFileTarget() };
        string? source = null;
        foreach (string raw in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = raw.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                source = source is null ? raw : throw new FormatException($"secret \"{text}\": more than one secret name");
                continue;
            }
            string key = raw[..eq].ToLowerInvariant();
            string value = raw[(eq + 1)..];
            switch (key)
            {
                case "source" or "src":
                    source = source is null ? value : throw new FormatException($"secret \"{text}\": more than one secret name");
                    break;
                case "target":
                    reference.File.Name = value;
                    break;
                case "uid":
                    reference.File.UID = Id(value, "uid", text);
                    break;
                case "gid":
                    reference.File.GID = Id(value, "gid", text);
                    break;
                case "mode":
                    reference.File.Mode = Mode(value, text);
                    break;
                default:
                    throw new FormatException($"secret \"{text}\": unknown option \"{key}\" (use target=, uid=, gid=, mode=)");
            }
        }
        if (string.IsNullOrEmpty(source))
        {
            throw new FormatException($"secret \"{text}\": no secret name (NAME[@VERSION][,target=FILE][,uid=N][,gid=N][,mode=0444])");
        }
        int at = source.LastIndexOf('@');
        if (at > 0)
        {
            if (!long.TryParse(source[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long version) || version < 1)
            {
                throw new FormatException($"secret \"{text}\": version \"{source[(at + 1)..]}\" is not a positive number");
            }
            reference.Version = version;
            source = source[..at];
        }
        reference.SecretName = source;
        return reference;
    }

    /// <summary>The label's value: references separated by ';'.</summary>
    public static List<SecretReference> ParseList(string text) =>
        [.. text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];

    private static string Id(string value, string what, string text) =>
        uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? value
            : throw new FormatException($"secret \"{text}\": {what} \"{value}\" is not a number");

    private static int Mode(string value, string text)
    {
        try
        {
            int mode = Convert.ToInt32(value, 8);
            return mode is >= 0 and <= 0x1FF ? mode : throw new FormatException();
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            throw new FormatException($"secret \"{text}\": mode \"{value}\" is not an octal permission mode (0 to 0777)");
        }
    }
}
