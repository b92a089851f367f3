using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;

namespace Bulwark.Engine.Tests.Images.Archives;

/// <summary>Builds docker-save archives and OCI layouts in memory for load tests.</summary>
public sealed class TestArchiveBuilder
{
    private readonly List<(string Name, byte[]? Data, string? Link)> entries = [];

    public static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static byte[] Config(IEnumerable<string> diffIds, string cmd = "/bin/sh")
    {
        string ids = string.Join(',', diffIds.Select(d => $"\"sha256:{d}\""));
        return Encoding.UTF8.GetBytes(
            $$$"""{"architecture":"amd64","os":"linux","created":"2024-05-06T07:08:09Z","author":"tests","config":{"Cmd":["{{{cmd}}}"],"Env":["PATH=/bin"],"Labels":{"a":"b"}},"rootfs":{"type":"layers","diff_ids":[{{{ids}}}]},"history":[{"created":"2024-05-06T07:08:09Z","created_by":"test layer"}]}""");
    }

    public TestArchiveBuilder Add(string name, byte[] data)
    {
        entries.Add((name, data, null));
        return this;
    }

    public TestArchiveBuilder AddText(string name, string text) => Add(name, Encoding.UTF8.GetBytes(text));

    public TestArchiveBuilder AddSymlink(string name, string target)
    {
        entries.Add((name, null, target));
        return this;
    }

    public byte[] Build()
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, data, link) in entries)
            {
                if (link is not null)
                {
                    w.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, name) { LinkName = link });
                    continue;
                }

                w.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data!) });
            }
        }

        return ms.ToArray();
    }

    /// <summary>A legacy docker-save archive: &lt;id&gt;/layer.tar, &lt;config&gt;.json, manifest.json (second layer dir a symlink).</summary>
    public static byte[] DockerSave(IReadOnlyList<byte[]> layers, string? repoTag, bool symlinkDuplicate = false)
    {
        var b = new TestArchiveBuilder();
        var diffIds = layers.Select(Sha).ToList();
        byte[] config = Config(diffIds);
        string configName = Sha(config) + ".json";
        var layerNames = new List<string>();
        for (int i = 0; i < layers.Count; i++)
        {
            string dir = Sha(Encoding.UTF8.GetBytes("layer" + i));
            layerNames.Add(dir + "/layer.tar");
            if (symlinkDuplicate && i > 0)
            {
                b.AddSymlink(dir + "/layer.tar", "../" + layerNames[0]);
            }
            else
            {
                b.Add(dir + "/layer.tar", layers[i]);
            }
        }

        b.Add(configName, config);
        string tags = repoTag is null ? "null" : $"[\"{repoTag}\"]";
        b.AddText("manifest.json",
            $"[{{\"Config\":\"{configName}\",\"RepoTags\":{tags},\"Layers\":[{string.Join(',', layerNames.Select(n => $"\"{n}\""))}]}}]");
        return b.Build();
    }

    /// <summary>An OCI layout with gzip layers and an io.containerd.image.name annotation.</summary>
    public static byte[] OciLayout(IReadOnlyList<byte[]> layerTars, string? name, Func<byte[], byte[]> compress, string mediaType,
        Action<TestArchiveBuilder, List<(string Digest, byte[] Blob)>>? tamper = null)
    {
        var b = new TestArchiveBuilder();
        var diffIds = layerTars.Select(Sha).ToList();
        byte[] config = Config(diffIds, "/bin/oci");
        var blobs = layerTars.Select(t => compress(t)).Select(c => (Sha(c), c)).ToList();
        string layersJson = string.Join(',', blobs.Select(x => $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"sha256:{x.Item1}\",\"size\":{x.c.Length}}}"));
        byte[] manifest = Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:{Sha(config)}\",\"size\":{config.Length}}},\"layers\":[{layersJson}]}}");
        string annotations = name is null ? string.Empty
            : $",\"annotations\":{{\"io.containerd.image.name\":\"{name}\",\"org.opencontainers.image.ref.name\":\"latest\"}}";
        b.AddText("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
        b.AddText("index.json",
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:{Sha(manifest)}\",\"size\":{manifest.Length}{annotations}}}]}}");
        var all = new List<(string Digest, byte[] Blob)> { (Sha(manifest), manifest), (Sha(config), config) };
        all.AddRange(blobs);
        tamper?.Invoke(b, all);
        foreach (var (d, blob) in all)
        {
            b.Add("blobs/sha256/" + d, blob);
        }

        return b.Build();
    }
}
