namespace Bulwark.Engine.Containers;

/// <summary>Which container stream a chunk of output came from.</summary>
public enum OutputStream
{
    Stdout = 1,
    Stderr = 2,
}
