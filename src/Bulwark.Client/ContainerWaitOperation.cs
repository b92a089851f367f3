using Bulwark.Api.Models.Containers;

namespace Bulwark.Client;

/// <summary>
/// A wait whose response headers have arrived (so the daemon registered the waiter); <see cref="Result"/> completes
/// when the body arrives, i.e. when the condition is met.
/// </summary>
public sealed class ContainerWaitOperation(Task<WaitResponse> result)
{
    public Task<WaitResponse> Result { get; } = result;
}
