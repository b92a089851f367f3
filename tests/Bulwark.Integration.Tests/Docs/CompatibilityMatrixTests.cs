using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Docs;

/// <summary>
/// docs/COMPATIBILITY.md is checked against the tests: every row names the test classes that prove it, each named class
/// exists in the project the row says (Integration by default, "Daemon.Tests …"/"Engine.Tests …"/"Testcontainers.Tests …"
/// otherwise), and every test class that drives a real client (Compatibility/, Networks/, Volumes/, Registry/, Cli/,
/// Ports/) is named by some row.
/// </summary>
public sealed class CompatibilityMatrixTests
{
    private static readonly string[] ClientTestFolders = ["Compatibility", "Networks", "Volumes", "Registry", "Cli", "Ports"];

    private static IEnumerable<string> ProofCells()
    {
        string doc = Path.Combine(RepoPaths.Root, "docs", "COMPATIBILITY.md");
        foreach (string line in File.ReadLines(doc))
        {
            if (!line.StartsWith("| ", StringComparison.Ordinal) || line.StartsWith("| command", StringComparison.Ordinal))
            {
                continue;
            }
            string[] cells = line.Split(" | ");
            yield return cells[^1].TrimEnd('|', ' ');
        }
    }

    private static (string Project, string Class) Parse(string token)
    {
        string t = token.Trim();
        string project = "Bulwark.Integration.Tests";
        foreach (string p in new[] { "Daemon.Tests", "Engine.Tests", "Testcontainers.Tests" })
        {
            if (t.StartsWith(p + " ", StringComparison.Ordinal))
            {
                project = "Bulwark." + p;
                t = t[(p.Length + 1)..].Trim();
            }
        }
        return (project, t.Split('/')[^1]);
    }

    private static bool ClassExists(string project, string className) =>
        Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "tests", project), className + ".cs", SearchOption.AllDirectories)
            .Any(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal));

    [Fact]
    public void EveryRow_NamesTestClassesThatExist()
    {
        var cells = ProofCells().ToList();
        Assert.True(cells.Count > 30, "the matrix has fewer rows than expected: " + cells.Count);
        var missing = new List<string>();
        foreach (string cell in cells)
        {
            var tokens = cell.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.True(tokens.Length > 0, "a row without proof: " + cell);
            foreach (string token in tokens)
            {
                var (project, cls) = Parse(token);
                if (!ClassExists(project, cls))
                {
                    missing.Add($"{token} (looked for {cls}.cs in tests/{project})");
                }
            }
        }
        Assert.True(missing.Count == 0, "named in docs/COMPATIBILITY.md but not found: " + string.Join("; ", missing));
    }

    [Fact]
    public void EveryClientDrivenTestClass_IsNamedByTheMatrix()
    {
        var named = ProofCells()
            .SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(t => Parse(t).Class)
            .ToHashSet(StringComparer.Ordinal);
        string root = Path.Combine(RepoPaths.Root, "tests", "Bulwark.Integration.Tests");
        var unnamed = ClientTestFolders
            .Where(f => Directory.Exists(Path.Combine(root, f)))
            .SelectMany(f => Directory.EnumerateFiles(Path.Combine(root, f), "*Tests.cs"))
            .Select(Path.GetFileNameWithoutExtension)
            .Where(c => !named.Contains(c!))
            .ToList();
        Assert.True(unnamed.Count == 0, "test classes missing from docs/COMPATIBILITY.md: " + string.Join(", ", unnamed));
    }
}
