namespace Bulwark.Cli.Output;

/// <summary>Writes a stream to stdout, or to a file that appears only when complete (no partial file on failure).</summary>
internal static class FileOutput
{
    public static async Task WriteAtomicallyAsync(CliContext context, string? path, Stream source, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(path))
        {
            var stdout = context.OpenStdout();
            await source.CopyToAsync(stdout, ct).ConfigureAwait(false);
            await stdout.FlushAsync(ct).ConfigureAwait(false);
            return;
        }

        var temp = path + ".bulwark-tmp";
        try
        {
            await using (var file = File.Create(temp))
            {
                await source.CopyToAsync(file, ct).ConfigureAwait(false);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
