using Bulwark.Tuf;

namespace Bulwark.Engine.Trust.Tuf;

/// <summary>Where a repository's metadata files come from: a Notary server (<see cref="NotaryClient"/>).</summary>
public interface ITrustMetadataSource
{
    /// <summary>The server, as named in messages.</summary>
    Uri Url { get; }

    /// <summary>The file's bytes (at most <paramref name="maxLength"/>), or null when it does not exist; <see cref="TufException"/> (Unreachable) on transport errors.</summary>
    Task<byte[]?> GetAsync(string gun, string file, long maxLength, CancellationToken ct);
}
