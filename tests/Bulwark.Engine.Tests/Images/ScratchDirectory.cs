namespace Bulwark.Engine.Tests.Images;

/// <summary>A temp directory for one test, removed (with anything mounted below it detached) on dispose.</summary>
public sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "bulwark-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Sub(string name)
    {
        string p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        foreach (var line in File.ReadAllLines("/proc/self/mountinfo").Reverse())
        {
            var f = line.Split(' ');
            if (f.Length > 4 && f[4].StartsWith(Path, StringComparison.Ordinal))
            {
                Bulwark.Native.Interop.Umount2(f[4], Bulwark.Native.Interop.MntDetach);
            }
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
