using System.Reflection;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli.Tests.Architecture;

public sealed class CliDependencyTests
{
    [Fact]
    public void CliAssembly_ReferencesNeitherEngineNorDaemon_Transitively()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(RunCommand).Assembly]);
        while (queue.Count > 0)
        {
            var assembly = queue.Dequeue();
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                var name = reference.Name!;
                Assert.False(name.StartsWith("Bulwark.Engine", StringComparison.Ordinal), $"{assembly.GetName().Name} references {name}");
                Assert.False(name.StartsWith("Bulwark.Daemon", StringComparison.Ordinal) || name == "bulwarkd",
                    $"{assembly.GetName().Name} references {name}");
                if (name.StartsWith("Bulwark", StringComparison.Ordinal) && seen.Add(name))
                {
                    queue.Enqueue(Assembly.Load(reference));
                }
            }
        }

        Assert.Contains("Bulwark.Client", seen);
        Assert.Contains("Bulwark.Tuf", seen); // the Notary format code it shares with the engine, never the engine itself
    }
}
