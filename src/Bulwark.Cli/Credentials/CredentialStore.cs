using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Images;

namespace Bulwark.Cli.Credentials;

/// <summary>
/// Registry credentials in the docker CLI's file, <c>$DOCKER_CONFIG/config.json</c> (default <c>~/.docker</c>): <c>auths</c>
/// maps a server to base64("user:password"), so <c>bulwark login</c> and <c>docker login</c> share them. The file is written
/// 0600 in a 0700 directory, through a temporary file renamed into place; other keys in it are kept.
/// </summary>
internal sealed class CredentialStore(string directory)
{
    /// <summary>The key Docker Hub's credentials are stored under.</summary>
    public const string DockerHub = "https://index.docker.io/v1/";

    public string FilePath { get; } = Path.Combine(directory, "config.json");

    public static CredentialStore For(CliContext context)
    {
        string? dir = context.GetEnvironment("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            string home = context.GetEnvironment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            dir = Path.Combine(home, ".docker");
        }
        return new CredentialStore(dir);
    }

    /// <summary>The server key of an image's registry: its domain, or Docker Hub's key.</summary>
    public static string ServerOf(string image)
    {
        int slash = image.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            string first = image[..slash];
            if (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost")
            {
                return first == "docker.io" || first == "index.docker.io" ? DockerHub : first;
            }
        }
        return DockerHub;
    }

    /// <summary>The login server key for what the user typed ("" = Docker Hub; a URL's scheme is kept only for Hub).</summary>
    public static string Normalize(string? server)
    {
        string s = (server ?? "").Trim();
        if (s.Length == 0 || s is "docker.io" or "index.docker.io" or "registry-1.docker.io" || s.Contains("index.docker.io", StringComparison.Ordinal))
        {
            return DockerHub;
        }
        return Uri.TryCreate(s, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Authority : s.TrimEnd('/');
    }

    public (string User, string Password)? Get(string server)
    {
        if (Load()["auths"]?[server]?["auth"]?.GetValue<string>() is not { Length: > 0 } auth)
        {
            return null;
        }
        try
        {
            string pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            int colon = pair.IndexOf(':', StringComparison.Ordinal);
            return colon > 0 ? (pair[..colon], pair[(colon + 1)..]) : null;
        }
        catch (FormatException)
        {
            throw new CliException(1, $"{FilePath}: the credentials stored for {server} are not valid base64");
        }
    }

    public void Set(string server, string user, string password)
    {
        var root = Load();
        var auths = root["auths"] as JsonObject ?? new JsonObject();
        root["auths"] = auths;
        auths[server] = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)) };
        Save(root);
    }

    /// <summary>False when nothing was stored for <paramref name="server"/>.</summary>
    public bool Remove(string server)
    {
        var root = Load();
        if (root["auths"] is not JsonObject auths || !auths.Remove(server))
        {
            return false;
        }
        Save(root);
        return true;
    }

    /// <summary>The X-Registry-Auth value for pulling or pushing <paramref name="image"/>; null when not logged in there.</summary>
    public string? HeaderFor(string image)
    {
        string server = ServerOf(image);
        if (Get(server) is not var (user, password))
        {
            return null;
        }
        var config = new RegistryAuthConfig { Username = user, Password = password, ServerAddress = server };
        return Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(config, DockerJsonContext.Default.RegistryAuthConfig))
            .Replace('+', '-').Replace('/', '_');
    }

    private JsonObject Load()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }
        try
        {
            return JsonNode.Parse(File.ReadAllText(FilePath)) as JsonObject
                ?? throw new CliException(1, $"{FilePath}: expected a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CliException(1, $"{FilePath}: not valid JSON ({ex.Message}); fix or remove it");
        }
    }

    private void Save(JsonObject root)
    {
        string dir = Path.GetDirectoryName(FilePath)!;
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string temp = FilePath + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
            stream.Flush(flushToDisk: true);
        }
        File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temp, FilePath, overwrite: true);
    }
}
