using System.Globalization;
using Bulwark.Api.Models.Secrets;
using Bulwark.Engine.Containers.Secrets;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Containers;

/// <summary>
/// Secrets for a container: <c>HostConfig.BulwarkSecrets</c> (our CLI, Docker.DotNet/docker-py with a raw field) and
/// the <c>com.bulwark.secrets</c> label (the docker CLI's only way in) map to the engine's requests; inspect shows the
/// resolved names and targets back in the same shape.
/// </summary>
internal static class SecretReferenceMapper
{
    public static IReadOnlyList<SecretMountSpec> Map(List<SecretReference>? field, IReadOnlyDictionary<string, string>? labels)
    {
        var all = new List<SecretReference>(field ?? []);
        if (labels is not null && labels.TryGetValue(SecretReferenceSyntax.Label, out string? text))
        {
            try
            {
                all.AddRange(SecretReferenceSyntax.ParseList(text));
            }
            catch (FormatException ex)
            {
                throw EngineException.Invalid($"label {SecretReferenceSyntax.Label}: {ex.Message}");
            }
        }
        return [.. all.Select(ToSpec)];
    }

    public static List<SecretReference>? ToWire(IReadOnlyList<SecretAttachment> secrets) =>
        secrets.Count == 0 ? null : [.. secrets.Select(s => new SecretReference
        {
            SecretName = s.Name,
            Version = s.Version,
            File = new SecretFileTarget
            {
                Name = s.Target,
                UID = s.Uid.ToString(CultureInfo.InvariantCulture),
                GID = s.Gid.ToString(CultureInfo.InvariantCulture),
                Mode = s.Mode,
            },
        })];

    private static SecretMountSpec ToSpec(SecretReference r)
    {
        if (string.IsNullOrWhiteSpace(r.SecretName))
        {
            throw EngineException.Invalid("HostConfig.BulwarkSecrets: SecretName is required");
        }
        return new SecretMountSpec
        {
            Secret = r.SecretName,
            Version = r.Version,
            Target = string.IsNullOrEmpty(r.File?.Name) ? null : r.File.Name,
            Uid = Id(r.File?.UID, "UID", r.SecretName),
            Gid = Id(r.File?.GID, "GID", r.SecretName),
            Mode = r.File?.Mode,
        };
    }

    private static uint? Id(string? value, string what, string secret)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        return uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint id)
            ? id
            : throw EngineException.Invalid($"HostConfig.BulwarkSecrets: secret {secret}: File.{what} \"{value}\" is not a number");
    }
}
