using System.CommandLine;
using Bulwark.Api.Models.Trust;
using Bulwark.Cli.Signing;

namespace Bulwark.Cli.Commands;

/// <summary>
/// <c>image sign --key FILE --sigstore-dir DIR IMAGE</c>: a simple-signing signature of the image's manifest digest in its
/// repository, written where skopeo writes it (<c>DIR/&lt;path&gt;@sha256=&lt;hex&gt;/signature-N</c>), for a registries.d
/// lookaside. <c>image sign --format cosign --key cosign.key IMAGE</c>: a cosign signature pushed to the registry as the
/// <c>sha256-&lt;hex&gt;.sig</c> tag. <c>image verify --key FILE IMAGE</c>: asks the daemon whether a signature by that public key (OpenPGP keyring
/// or cosign PEM) vouches for the image; exit 0 when it does, 1 with the reason when not.
/// </summary>
internal static class ImageSignatureCommands
{
    public static Command Sign(CliContext context)
    {
        var key = new Option<string>("--key") { Description = "simple: OpenPGP secret keyring (gpg --export-secret-keys), passphrase in BULWARK_SIGNING_PASSPHRASE; cosign: unencrypted ECDSA P-256 PEM private key", Required = true };
        var format = new Option<string>("--format") { Description = "Signature format: simple (OpenPGP simple signing, into --sigstore-dir) or cosign (pushed as the sha256-<hex>.sig tag)", DefaultValueFactory = _ => "simple" };
        var dir = new Option<string?>("--sigstore-dir") { Description = "Lookaside directory to write a simple signature into (registries.d lookaside-staging)" };
        var image = new Argument<string>("IMAGE");
        var command = new Command("sign", "Sign an image's manifest digest") { key, format, dir, image };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            string kind = result.GetValue(format)!;
            if (kind is not ("simple" or "cosign"))
            {
                throw new CliException(1, $"--format {kind}: use simple (OpenPGP simple signing) or cosign");
            }

            if (kind == "simple" && result.GetValue(dir) is null)
            {
                throw new CliException(1, "--sigstore-dir is required for --format simple (the lookaside to write the signature into)");
            }

            string name = result.GetValue(image)!;
            var r = ImageName.Parse(name);
            using var client = context.CreateClient(result);
            var inspect = await client.ImageInspectAsync(name, ct).ConfigureAwait(false);
            string digest = (inspect.RepoDigests ?? []).Select(d => d.Split('@', 2)).Where(p => p.Length == 2 && ImageName.Parse(p[0]).Repository == r.Repository)
                .Select(p => p[1]).FirstOrDefault()
                ?? throw new CliException(1, $"{name}: the image has no digest in {r.Repository} (push or pull it first): nothing to sign");
            string keyFile = result.GetValue(key)!;
            if (kind == "cosign")
            {
                byte[] payload = CosignSigner.Payload(r.Repository, digest);
                string sig = CosignSigner.Sign(await File.ReadAllTextAsync(keyFile, ct).ConfigureAwait(false), keyFile, payload);
                int slash = r.Repository.IndexOf('/', StringComparison.Ordinal);
                using var registry = new CosignSignatureRegistry(r.Repository[..slash], r.Path);
                string tag = await registry.AttachAsync(digest, payload, sig, ct).ConfigureAwait(false);
                await context.Out.WriteAsync($"Signed {r.Repository} ({digest}): {r.Repository}:{tag}\n").ConfigureAwait(false);
                return 0;
            }

            byte[] keyring = await File.ReadAllBytesAsync(keyFile, ct).ConfigureAwait(false);
            char[] passphrase = (Environment.GetEnvironmentVariable("BULWARK_SIGNING_PASSPHRASE") ?? "").ToCharArray();
            byte[] signature = SimpleSigner.Sign(keyring, keyFile, passphrase, SimpleSigner.Payload(r.Full, digest));
            string folder = Path.Combine(Path.GetFullPath(result.GetValue(dir)!), r.Path + "@" + digest.Replace(':', '='));
            Directory.CreateDirectory(folder);
            int n = 1;
            while (File.Exists(Path.Combine(folder, "signature-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            {
                n++;
            }

            string file = Path.Combine(folder, "signature-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await File.WriteAllBytesAsync(file, signature, ct).ConfigureAwait(false);
            await context.Out.WriteAsync($"Signed {r.Full} ({digest}): {file}\n").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }

    public static Command Verify(CliContext context)
    {
        var key = new Option<string>("--key") { Description = "Public key: OpenPGP keyring (gpg --export) or cosign PEM public key", Required = true };
        var format = new Option<string?>("--format") { Description = "simple or cosign (default: from the key)" };
        var image = new Argument<string>("IMAGE");
        var command = new Command("verify", "Check that a signature by the key vouches for the image") { key, format, image };
        command.SetAction((result, ct) => context.GuardAsync(async () =>
        {
            byte[] bytes = await File.ReadAllBytesAsync(result.GetValue(key)!, ct).ConfigureAwait(false);
            string text = System.Text.Encoding.UTF8.GetString(bytes);
            string wire = text.Contains("-----BEGIN", StringComparison.Ordinal) ? text : Convert.ToBase64String(bytes);
            using var client = context.CreateClient(result);
            var v = await client.ImageVerifyAsync(result.GetValue(image)!, new ImageVerifyRequest(wire, result.GetValue(format)), ct).ConfigureAwait(false);
            if (!v.Verified)
            {
                await context.Error.WriteAsync($"{v.Image} ({v.Digest}): not verified: {v.Reason}\n").ConfigureAwait(false);
                return 1;
            }

            await context.Out.WriteAsync($"{v.Image} ({v.Digest}): verified ({v.Format} signature)\n").ConfigureAwait(false);
            return 0;
        }));
        return command;
    }
}

/// <summary>An image name as the registry sees it: docker.io/library/ added to short names, latest when no tag or digest.</summary>
internal sealed record ImageName(string Repository, string? Tag, string? Digest)
{
    public string Path => Repository[(Repository.IndexOf('/', StringComparison.Ordinal) + 1)..];

    public string Full => Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    public static ImageName Parse(string name)
    {
        string? digest = null;
        int at = name.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            digest = name[(at + 1)..];
            name = name[..at];
        }

        string? tag = null;
        int colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            name = name[..colon];
        }

        int slash = name.IndexOf('/', StringComparison.Ordinal);
        string first = slash < 0 ? "" : name[..slash];
        if (slash < 0 || (!first.Contains('.', StringComparison.Ordinal) && !first.Contains(':', StringComparison.Ordinal) && first != "localhost"))
        {
            name = "docker.io/" + (slash < 0 ? "library/" : "") + name;
        }

        return new ImageName(name, tag ?? (digest is null ? "latest" : null), digest);
    }
}
