using System.Text.RegularExpressions;

namespace Bulwark.Engine.Tests.Architecture;

/// <summary>The house limits: no source file (C# or the monitor's C) above 600 lines, no class above 800 lines across its
/// partial files.</summary>
public sealed partial class SourceSizeTests
{
    private const int MaxFileLines = 600;
    private const int MaxClassLines = 800;

    [Fact]
    public void NoSourceFileIsLongerThan600Lines()
    {
        var tooLong = SourceFiles().Where(f => f.Lines > MaxFileLines).Select(f => $"{f.Path} ({f.Lines} lines)").ToList();
        Assert.True(tooLong.Count == 0, "files above " + MaxFileLines + " lines: " + string.Join(", ", tooLong));
    }

    [Fact]
    public void NoMonitorSourceFileIsLongerThan600Lines()
    {
        string dir = Path.Combine(RepositoryRoot(), "src", "bulwark-monitor");
        var files = Directory.EnumerateFiles(dir, "*.c").Concat(Directory.EnumerateFiles(dir, "*.h")).ToList();
        Assert.NotEmpty(files);
        var tooLong = files.Select(f => (Path: Path.GetFileName(f), Lines: File.ReadAllLines(f).Length))
            .Where(f => f.Lines > MaxFileLines).Select(f => $"{f.Path} ({f.Lines} lines)").ToList();
        Assert.True(tooLong.Count == 0, "monitor files above " + MaxFileLines + " lines: " + string.Join(", ", tooLong));
    }

    [Fact]
    public void NoPartialClassIsLongerThan800LinesAcrossItsFiles()
    {
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (path, lines, text) in SourceFiles())
        {
            string ns = Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : "";
            foreach (Match c in PartialClass().Matches(text))
            {
                string key = ns + "." + c.Groups[1].Value;
                classes[key] = classes.GetValueOrDefault(key) + lines;
            }
        }

        Assert.NotEmpty(classes);
        var tooLong = classes.Where(c => c.Value > MaxClassLines).Select(c => $"{c.Key} ({c.Value} lines)").ToList();
        Assert.True(tooLong.Count == 0, "classes above " + MaxClassLines + " lines: " + string.Join(", ", tooLong));
    }

    private static IEnumerable<(string Path, int Lines, string Text)> SourceFiles()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        foreach (var f in files)
        {
            string text = File.ReadAllText(f);
            yield return (Path.GetRelativePath(src, f), text.Split('\n').Length - (text.EndsWith('\n') ? 1 : 0), text);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bulwark.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Bulwark.slnx) not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\bpartial\s+class\s+(\w+)")]
    private static partial Regex PartialClass();
}
