using System.Text.Json.Serialization;

namespace Bulwark.Engine.Secrets;

[JsonSerializable(typeof(SecretEnvelope))]
internal sealed partial class SecretJsonContext : JsonSerializerContext;
