using Bulwark.Client;

namespace Bulwark.Cli.Copying;

/// <summary>Moves tar streams between the host and the daemon's archive endpoints, renaming the top entry as docker does.</summary>
internal sealed class ContainerCopier(DockerClient client, CliContext context)
{
    /// <summary>Go's os.ModeDir bit in the path stat's mode.</summary>
    private const uint GoModeDir = 1u << 31;

    public async Task FromContainerAsync(string container, string source, string destination, CancellationToken ct)
    {
        var (stat, response) = await client.ContainerArchiveGetAsync(container, source, ct).ConfigureAwait(false);
        using (response)
        {
            if (destination == "-")
            {
                var stdout = context.OpenStdout();
                await response.Body.CopyToAsync(stdout, ct).ConfigureAwait(false);
                await stdout.FlushAsync(ct).ConfigureAwait(false);
                return;
            }

            string directory;
            string? rename;
            if (Directory.Exists(destination))
            {
                (directory, rename) = (destination, null);
            }
            else
            {
                if (destination.EndsWith('/'))
                {
                    throw new CliException(1, $"destination directory \"{destination}\" does not exist");
                }

                if (File.Exists(destination) && (stat.Mode & GoModeDir) != 0)
                {
                    throw new CliException(1, $"cannot copy a directory onto the file \"{destination}\"");
                }

                var full = Path.GetFullPath(destination);
                directory = Path.GetDirectoryName(full)!;
                if (!Directory.Exists(directory))
                {
                    throw new CliException(1, $"destination directory \"{directory}\" does not exist");
                }

                rename = Path.GetFileName(full);
            }

            await TarExtractor.ExtractAsync(response.Body, directory, stat.Name, rename, ct).ConfigureAwait(false);
        }
    }

    public async Task ToContainerAsync(string source, string container, string destination, bool archive, bool followLink, CancellationToken ct)
    {
        if (source == "-")
        {
            await client.ContainerArchivePutAsync(container, destination, context.OpenStdin(), noOverwriteDirNonDir: true, archive, ct)
                .ConfigureAwait(false);
            return;
        }

        var full = Path.GetFullPath(source);
        var info = new FileInfo(full);
        if (followLink && info.LinkTarget is not null)
        {
            full = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }

        if (!File.Exists(full) && !Directory.Exists(full))
        {
            throw new CliException(1, $"could not find the file {source} on the host: no such file or directory");
        }

        // An existing directory receives the source under its own name; otherwise the copy takes the destination's name.
        string targetDirectory;
        string entryName;
        try
        {
            var stat = await client.ContainerStatPathAsync(container, destination, ct).ConfigureAwait(false);
            if ((stat.Mode & GoModeDir) != 0)
            {
                (targetDirectory, entryName) = (destination, Path.GetFileName(full.TrimEnd('/')));
            }
            else if (Directory.Exists(full))
            {
                throw new CliException(1, $"cannot copy a directory onto the file \"{destination}\" in the container");
            }
            else
            {
                (targetDirectory, entryName) = (ParentOf(destination), LastSegment(destination));
            }
        }
        catch (DockerApiException ex) when (ex.IsNotFound)
        {
            if (destination.EndsWith('/'))
            {
                throw new CliException(1, $"Error response from daemon: destination directory \"{destination}\" does not exist in the container");
            }

            (targetDirectory, entryName) = (ParentOf(destination), LastSegment(destination));
        }

        var temp = Path.Combine(Path.GetTempPath(), "bulwark-cp-" + Guid.NewGuid().ToString("N") + ".tar");
        try
        {
            await using (var file = File.Create(temp))
            {
                await TarBuilder.WriteAsync(file, full, entryName, ct).ConfigureAwait(false);
            }

            await using var tar = File.OpenRead(temp);
            await client.ContainerArchivePutAsync(container, targetDirectory, tar, noOverwriteDirNonDir: true, archive, ct).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static string ParentOf(string containerPath)
    {
        var trimmed = containerPath.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : trimmed[..slash];
    }

    private static string LastSegment(string containerPath)
    {
        var trimmed = containerPath.TrimEnd('/');
        return trimmed[(trimmed.LastIndexOf('/') + 1)..];
    }
}
