namespace Bulwark.Engine.Containers;

/// <summary>created → running (⇄ paused) → exited → removed.</summary>
public enum ContainerState
{
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}
