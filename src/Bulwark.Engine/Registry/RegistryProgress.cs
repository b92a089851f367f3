namespace Bulwark.Engine.Registry;

/// <summary>What a pull or push is doing; the API adapter turns these into Docker's progress lines.</summary>
public enum RegistryProgressKind
{
    /// <summary>Pull started; <see cref="RegistryProgress.Id"/> is the tag or digest, Text the repository path.</summary>
    PullingFrom,
    PullingFsLayer,
    AlreadyExists,
    Downloading,
    VerifyingChecksum,
    DownloadComplete,
    Extracting,
    PullComplete,

    /// <summary>Text is the manifest digest the pull resolved.</summary>
    Digest,

    /// <summary>Push started; Text is the repository ("127.0.0.1:5000/ns/name").</summary>
    PushRefersTo,
    Preparing,
    Pushing,
    Pushed,
    LayerAlreadyExists,
}

/// <summary>One progress event; <see cref="Id"/> is a layer's short digest unless the kind says otherwise.</summary>
public sealed record RegistryProgress(RegistryProgressKind Kind, string? Id = null, long Current = 0, long Total = 0, string? Text = null);

/// <summary>The outcome of a pull: the image, the reference it is known by, the manifest digest and whether anything changed.</summary>
public sealed record PullResult(Images.ImageRecord Image, string Reference, string ManifestDigest, bool UpToDate);

/// <summary>One pushed tag: its manifest digest and the manifest's size in bytes.</summary>
public sealed record PushResult(string Tag, string Digest, long Size);
