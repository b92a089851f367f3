namespace Bulwark.Engine.Trust.Policy;

/// <summary>A policy.json or registries.d file that cannot be used; the message names the file, the key and the cause.</summary>
public sealed class PolicyException(string message) : Exception(message);
