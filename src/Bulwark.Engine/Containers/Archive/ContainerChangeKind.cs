namespace Bulwark.Engine.Containers.Archive;

/// <summary>Docker's change kinds (the numbers are on the wire).</summary>
public enum ContainerChangeKind
{
    Modified = 0,
    Added = 1,
    Deleted = 2,
}
