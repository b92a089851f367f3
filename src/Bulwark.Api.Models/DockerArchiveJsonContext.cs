using Bulwark.Api.Models.Containers;

namespace Bulwark.Api.Models;

/// <summary>
/// docker cp, export and diff wire types. A context of its own: the System.Text.Json source generator does not
/// merge [JsonSerializable] attributes spread over partial declarations of one context (it generates each
/// declaration separately and fails on duplicate hint names), so these cannot be added to DockerJsonContext
/// from a separate file. Same options as DockerJsonContext.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ContainerPathStat))]
[JsonSerializable(typeof(List<ContainerChangeItem>))]
public sealed partial class DockerArchiveJsonContext : JsonSerializerContext;
