using System.Text.Json.Serialization;

namespace Bulwark.Engine.Networks;

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(NetworkRecord))]
internal sealed partial class NetworkJsonContext : JsonSerializerContext;
