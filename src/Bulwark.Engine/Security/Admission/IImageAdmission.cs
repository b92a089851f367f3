using Bulwark.Engine.Images;

namespace Bulwark.Engine.Security.Admission;

/// <summary>
/// A check an image must pass before a container of it is created, started or restarted (the daemon's scan policy is one;
/// it lives outside the engine because the scanner does). Refusal is an <see cref="Errors.EngineException"/> (Forbidden).
/// </summary>
public interface IImageAdmission
{
    /// <param name="reference">The image as the request named it; null on start and restart (the container's image id).</param>
    /// <param name="operation">create, start or restart.</param>
    Task AdmitAsync(string? reference, ImageRecord image, string operation, CancellationToken ct);
}

/// <summary>Admits every image: the default when no admission policy is configured.</summary>
public sealed class AdmitAll : IImageAdmission
{
    public static readonly AdmitAll Instance = new();

    public Task AdmitAsync(string? reference, ImageRecord image, string operation, CancellationToken ct) => Task.CompletedTask;
}
