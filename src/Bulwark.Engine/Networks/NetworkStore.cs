using System.Text.Json;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Networks;

/// <summary>
/// Network records as one JSON file each under <c>&lt;data-root&gt;/networks/</c>, replaced atomically (temp, fsync,
/// rename) like container records: a crash leaves the old or the new record, never half of one. A network has one
/// writer (the service's gate) and no change spans two networks, so SQLite transactions would buy nothing here.
/// </summary>
internal sealed class NetworkStore
{
    private readonly string _root;

    public NetworkStore(string dataRoot)
    {
        _root = Path.Combine(dataRoot, "networks");
        Directory.CreateDirectory(_root);
    }

    public void Save(NetworkRecord record)
    {
        AtomicFile.Write(Path.Combine(_root, record.Id + ".json"),
            s => JsonSerializer.Serialize(s, record, NetworkJsonContext.Default.NetworkRecord));
    }

    public List<NetworkRecord> LoadAll()
    {
        var records = new List<NetworkRecord>();
        foreach (string tmp in Directory.EnumerateFiles(_root, "*.tmp"))
        {
            File.Delete(tmp); // an interrupted save: the previous record is still in place
        }
        foreach (string file in Directory.EnumerateFiles(_root, "*.json"))
        {
            using var fs = File.OpenRead(file);
            if (JsonSerializer.Deserialize(fs, NetworkJsonContext.Default.NetworkRecord) is { } r)
            {
                records.Add(r);
            }
        }
        return records;
    }

    public void Delete(string id) => File.Delete(Path.Combine(_root, id + ".json"));
}
