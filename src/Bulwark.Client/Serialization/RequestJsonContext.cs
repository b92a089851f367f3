using System.Text.Json.Serialization;
using Bulwark.Api.Models;
using Bulwark.Api.Models.Containers;

namespace Bulwark.Client.Serialization;

/// <summary>
/// Request bodies the CLI sends on every run, serialized through source-generated writer code only (no metadata mode):
/// the shared <see cref="DockerJsonContext"/> builds property metadata for the whole ContainerCreateRequest graph on first
/// use, which cost a measurable share of a short-lived CLI's start. The bytes are the same (a unit test compares them).
/// </summary>
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(ContainerCreateRequest))]
internal sealed partial class RequestJsonContext : JsonSerializerContext;
