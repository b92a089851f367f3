using Bulwark.Engine.Registry;

namespace Bulwark.Engine.Images.Distribution;

/// <summary>Turns the ingest's per-layer progress into Extracting / Pull complete.</summary>
internal sealed class ExtractProgress(IProgress<RegistryProgress> inner) : IProgress<LayerProgress>
{
    private readonly HashSet<string> started = new(StringComparer.Ordinal);

    public void Report(LayerProgress value)
    {
        inner.Report(new RegistryProgress(RegistryProgressKind.Extracting, value.LayerId, value.Current, value.Total));
        if (!started.Add(value.LayerId))
        {
            // The ingest reports each layer twice: before unpacking and once it is unpacked and verified.
            inner.Report(new RegistryProgress(RegistryProgressKind.PullComplete, value.LayerId));
        }
    }
}
