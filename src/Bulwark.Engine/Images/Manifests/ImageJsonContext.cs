using System.Text.Json.Serialization;
using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Images.Manifests;

/// <summary>Source-generated JSON for image documents and the metadata layer rows.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowTrailingCommas = true,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip)]
[JsonSerializable(typeof(OciManifest))]
[JsonSerializable(typeof(OciIndex))]
[JsonSerializable(typeof(OciLayout))]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
[JsonSerializable(typeof(ImageConfigDocument))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<LayerRow>))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;
