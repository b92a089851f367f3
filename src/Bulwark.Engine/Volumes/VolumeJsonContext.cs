using System.Text.Json.Serialization;

namespace Bulwark.Engine.Volumes;

[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(VolumeRecord))]
internal sealed partial class VolumeJsonContext : JsonSerializerContext;
