using System.Reflection;
using Bulwark.Engine.Containers;

namespace Bulwark.Engine.Tests.Architecture;

public sealed class EngineDependencyTests
{
    [Fact]
    public void EngineAssembly_ReferencesNeitherTheDaemonNorTheWireModelsNorAspNet_Transitively()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<Assembly>([typeof(ContainerService).Assembly]);
        while (queue.Count > 0)
        {
            var assembly = queue.Dequeue();
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                var name = reference.Name!;
                Assert.False(name.StartsWith("Bulwark.Daemon", StringComparison.Ordinal) || name == "bulwarkd",
                    $"{assembly.GetName().Name} references {name}");
                Assert.False(name.StartsWith("Bulwark.Api.Models", StringComparison.Ordinal), $"{assembly.GetName().Name} references {name}");
                Assert.False(name.StartsWith("Bulwark.Client", StringComparison.Ordinal) || name.StartsWith("Bulwark.Cli", StringComparison.Ordinal),
                    $"{assembly.GetName().Name} references {name}");
                Assert.False(name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal), $"{assembly.GetName().Name} references {name}");
                if (name.StartsWith("Bulwark", StringComparison.Ordinal) && seen.Add(name))
                {
                    queue.Enqueue(Assembly.Load(reference));
                }
            }
        }

        Assert.Contains("Bulwark.Native", seen);
    }
}
