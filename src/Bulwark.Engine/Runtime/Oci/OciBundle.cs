using System.Text.Json;
using Bulwark.Engine.Errors;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Runtime.Oci;

/// <summary>A container's bundle config (config.json) read back and rewritten after create (update, network connect).</summary>
internal static class OciBundle
{
    public static string ConfigPath(string bundleDir) => Path.Combine(bundleDir, "config.json");

    /// <summary>Reads config.json; an unreadable or malformed one is an internal error naming the container and file.</summary>
    public static OciSpec Read(string id, string bundleDir)
    {
        string path = ConfigPath(bundleDir);
        try
        {
            using var fs = File.OpenRead(path);
            return JsonSerializer.Deserialize(fs, OciJsonContext.Default.OciSpec)
                ?? throw new EngineException(ErrorKind.Internal, $"container {id}: config.json is empty");
        }
        catch (Exception ex) when (ex is IOException or JsonException)
        {
            throw new EngineException(ErrorKind.Internal, $"container {id}: cannot read its bundle {path}: {ex.Message}", ex);
        }
    }

    /// <summary>Writes config.json atomically (temp, then rename); <paramref name="durable"/> adds the fsync. Create writes it
    /// without (the record's own durable save follows); later rewrites of an existing container's bundle with it.</summary>
    public static void Write(string bundleDir, OciSpec spec, bool durable = true)
    {
        Directory.CreateDirectory(bundleDir);
        AtomicFile.Write(ConfigPath(bundleDir), OciSpecBuilder.ToJson(spec), durable);
    }
}
