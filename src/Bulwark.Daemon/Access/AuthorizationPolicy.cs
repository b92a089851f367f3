using System.Text.Json;
using Bulwark.Daemon.Access.Labels;

namespace Bulwark.Daemon.Access;

/// <summary>
/// daemon.json's <c>authorization</c> section: <c>bindings</c> (subject → role) and <c>roles</c> (custom roles with an
/// <c>allow</c> list of actions and optional <c>labels</c> the objects acted on must carry). Subjects are <c>cert:&lt;CN&gt;</c>, <c>uid:&lt;n&gt;</c>, <c>user:&lt;name&gt;</c>,
/// <c>group:&lt;name&gt;</c>. Without the section every caller who can reach the socket is admin, as in Docker.
/// </summary>
internal sealed class AuthorizationPolicy
{
    private static readonly string[] SubjectKinds = ["cert", "uid", "user", "group"];

    private AuthorizationPolicy(IReadOnlyDictionary<string, Role> bindings) => Bindings = bindings;

    /// <summary>Subject → role, roles already resolved.</summary>
    public IReadOnlyDictionary<string, Role> Bindings { get; }

    /// <summary>Reads and checks the section; any unknown key, subject kind, role or action is an error naming it.</summary>
    public static AuthorizationPolicy Read(JsonElement section)
    {
        if (section.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("\"authorization\" must be an object with \"bindings\" and optional \"roles\"");
        }
        var roles = Role.BuiltIn.ToDictionary(r => r.Name, StringComparer.Ordinal);
        JsonElement? bindings = null;
        foreach (var p in section.EnumerateObject())
        {
            switch (p.Name)
            {
                case "bindings":
                    bindings = p.Value;
                    break;
                case "roles":
                    foreach (var role in ReadRoles(p.Value))
                    {
                        roles[role.Name] = role;
                    }
                    break;
                default:
                    throw new ArgumentException($"\"authorization\": unknown key \"{p.Name}\" (use \"bindings\" and \"roles\")");
            }
        }
        if (bindings is not { ValueKind: JsonValueKind.Object } b)
        {
            throw new ArgumentException("\"authorization\" needs \"bindings\": an object of subject → role, e.g. {\"uid:1001\": \"viewer\"}");
        }
        var result = new Dictionary<string, Role>(StringComparer.Ordinal);
        foreach (var binding in b.EnumerateObject())
        {
            ValidateSubject(binding.Name);
            string? roleName = binding.Value.ValueKind == JsonValueKind.String ? binding.Value.GetString() : null;
            if (roleName is null || !roles.TryGetValue(roleName, out var role))
            {
                throw new ArgumentException(
                    $"\"authorization\": binding \"{binding.Name}\" names unknown role {binding.Value.GetRawText()} " +
                    $"(roles: {string.Join(", ", roles.Keys.Order(StringComparer.Ordinal))})");
            }
            result[binding.Name] = role;
        }
        return new AuthorizationPolicy(result);
    }

    private static IEnumerable<Role> ReadRoles(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("\"authorization\": \"roles\" must be an object of role name → {\"allow\": [actions], \"labels\": {key: value}}");
        }
        foreach (var r in value.EnumerateObject())
        {
            if (Role.BuiltIn.Any(b => b.Name == r.Name))
            {
                throw new ArgumentException($"\"authorization\": role \"{r.Name}\" is built in and cannot be redefined");
            }
            if (r.Value.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"\"authorization\": role \"{r.Name}\" must be an object with \"allow\"");
            }
            var listed = new List<string>();
            LabelSelector? labels = null;
            foreach (var p in r.Value.EnumerateObject())
            {
                if (p.Name == "labels")
                {
                    labels = ReadLabels(r.Name, p.Value);
                    continue;
                }
                if (p.Name != "allow")
                {
                    throw new ArgumentException($"\"authorization\": role \"{r.Name}\": unknown key \"{p.Name}\" (use \"allow\" and \"labels\")");
                }
                if (p.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new ArgumentException($"\"authorization\": role \"{r.Name}\": \"allow\" must be an array of actions");
                }
                foreach (var a in p.Value.EnumerateArray())
                {
                    string? action = a.ValueKind == JsonValueKind.String ? a.GetString() : null;
                    if (action is null || !(ApiActions.All.Contains(action) || IsWildcard(action)))
                    {
                        throw new ArgumentException(
                            $"\"authorization\": role \"{r.Name}\": unknown action {a.GetRawText()} " +
                            $"(actions: {string.Join(", ", ApiActions.All)}; or kind.* for all of a kind)");
                    }
                    listed.Add(action);
                }
            }
            // kind.* is every action of that kind; in a label-scoped role, every one that acts on a single object.
            var allowed = new HashSet<string>(StringComparer.Ordinal);
            foreach (string action in listed)
            {
                allowed.UnionWith(IsWildcard(action)
                    ? ApiActions.All.Where(x => x.StartsWith(action[..^1], StringComparison.Ordinal) && (labels is null || LabelSelector.CanScope(x)))
                    : [action]);
            }
            if (labels is not null && allowed.FirstOrDefault(a => !LabelSelector.CanScope(a)) is { } unscoped)
            {
                throw new ArgumentException(
                    $"\"authorization\": role \"{r.Name}\" has \"labels\", but {unscoped} acts on no single labelled object; " +
                    "bind a second role (e.g. viewer) for it");
            }
            yield return new Role(r.Name, allowed, Labels: labels);
        }
    }

    private static bool IsWildcard(string action) =>
        action.EndsWith(".*", StringComparison.Ordinal) && ApiActions.All.Any(x => x.StartsWith(action[..^1], StringComparison.Ordinal));

    private static LabelSelector ReadLabels(string role, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object || !value.EnumerateObject().Any())
        {
            throw new ArgumentException($"\"authorization\": role \"{role}\": \"labels\" must be a non-empty object of label → value, e.g. {{\"team\": \"a\"}}");
        }
        var required = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in value.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.String || p.Name.Length == 0)
            {
                throw new ArgumentException($"\"authorization\": role \"{role}\": label \"{p.Name}\" must have a string value");
            }
            required[p.Name] = p.Value.GetString()!;
        }
        return new LabelSelector(required);
    }

    private static void ValidateSubject(string subject)
    {
        int colon = subject.IndexOf(':', StringComparison.Ordinal);
        string kind = colon > 0 ? subject[..colon] : "";
        if (!SubjectKinds.Contains(kind) || colon == subject.Length - 1)
        {
            throw new ArgumentException($"\"authorization\": invalid subject \"{subject}\" (use cert:<CN>, uid:<n>, user:<name> or group:<name>)");
        }
        if (kind == "uid" && !uint.TryParse(subject[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"\"authorization\": invalid subject \"{subject}\": uid must be a number");
        }
    }
}
