namespace Bulwark.Engine.Containers.Health;

/// <summary>The image's HEALTHCHECK as a container health check.</summary>
internal static class HealthcheckFromImage
{
    /// <summary>The image's HEALTHCHECK when the container sets none (Docker's defaults for unset timings).</summary>
    public static HealthcheckSpec? FromImage(Images.ImageService images, string imageId)
    {
        var h = images.TryResolve(imageId)?.Config.Healthcheck;
        if (h is null || h.Test.Count == 0 || (h.Test[0] is not ("CMD" or "CMD-SHELL" or "NONE")))
        {
            return null;
        }
        return new HealthcheckSpec
        {
            Command = h.Test,
            Interval = h.IntervalNs > 0 ? TimeSpan.FromTicks(h.IntervalNs / 100) : TimeSpan.FromSeconds(30),
            Timeout = h.TimeoutNs > 0 ? TimeSpan.FromTicks(h.TimeoutNs / 100) : TimeSpan.FromSeconds(30),
            StartPeriod = TimeSpan.FromTicks(h.StartPeriodNs / 100),
            Retries = h.Retries > 0 ? h.Retries : 3,
        };
    }
}
