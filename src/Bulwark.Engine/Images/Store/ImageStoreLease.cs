namespace Bulwark.Engine.Images.Store;

/// <summary>Holds the image store's write lock until disposed.</summary>
internal readonly struct ImageStoreLease(SemaphoreSlim gate) : IDisposable
{
    public void Dispose() => gate.Release();
}
