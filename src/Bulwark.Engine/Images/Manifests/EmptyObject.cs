namespace Bulwark.Engine.Images.Manifests;

/// <summary>The "{}" value of ExposedPorts and Volumes maps.</summary>
public sealed record EmptyObject;
