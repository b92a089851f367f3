using Bulwark.Api.Models.Containers;
using Bulwark.Api.Models.Errors;
using Bulwark.Api.Models.Events;
using Bulwark.Api.Models.Exec;
using Bulwark.Api.Models.Images;
using Bulwark.Api.Models.Networks;
using Bulwark.Api.Models.Secrets;
using Bulwark.Api.Models.Streams;
using Bulwark.Api.Models.System;
using Bulwark.Api.Models.Trust;
using Bulwark.Api.Models.Volumes;

namespace Bulwark.Api.Models;

/// <summary>Every type that crosses the wire. Reflection JSON is off everywhere, so a missing type fails a test.</summary>
[JsonSourceGenerationOptions(
    PropertyNameCaseInsensitive = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ContainerCreateRequest))]
[JsonSerializable(typeof(ContainerCreateResponse))]
[JsonSerializable(typeof(ContainerUpdateRequest))]
[JsonSerializable(typeof(ContainerUpdateResponse))]
[JsonSerializable(typeof(CommitResponse))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(WaitResponse))]
[JsonSerializable(typeof(List<ContainerSummary>))]
[JsonSerializable(typeof(ContainerInspectResponse))]
[JsonSerializable(typeof(List<ImageSummary>))]
[JsonSerializable(typeof(ImageInspectResponse))]
[JsonSerializable(typeof(List<ImageDeleteResponseItem>))]
[JsonSerializable(typeof(List<ImageHistoryItem>))]
[JsonSerializable(typeof(JsonMessage))]
[JsonSerializable(typeof(RegistryAuthConfig))]
[JsonSerializable(typeof(ExecCreateRequest))]
[JsonSerializable(typeof(ExecStartRequest))]
[JsonSerializable(typeof(ExecInspectResponse))]
[JsonSerializable(typeof(IdResponse))]
[JsonSerializable(typeof(EventMessage))]
[JsonSerializable(typeof(ContainerTopResponse))]
[JsonSerializable(typeof(PruneResponse))]
[JsonSerializable(typeof(SecretCreateRequest))]
[JsonSerializable(typeof(SecretDto))]
[JsonSerializable(typeof(List<SecretDto>))]
[JsonSerializable(typeof(SecretCreateResponse))]
[JsonSerializable(typeof(SecretRotateKeyResponse))]
[JsonSerializable(typeof(IsolateResponse))]
[JsonSerializable(typeof(SystemDfResponse))]
[JsonSerializable(typeof(ContainerPathStat))]
[JsonSerializable(typeof(List<ContainerChangeItem>))]
[JsonSerializable(typeof(VersionResponse))]
[JsonSerializable(typeof(InfoResponse))]
[JsonSerializable(typeof(NetworkCreateRequest))]
[JsonSerializable(typeof(NetworkCreateResponse))]
[JsonSerializable(typeof(NetworkDto))]
[JsonSerializable(typeof(List<NetworkDto>))]
[JsonSerializable(typeof(NetworkConnectRequest))]
[JsonSerializable(typeof(NetworkDisconnectRequest))]
[JsonSerializable(typeof(NetworkPruneResponse))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, List<string>>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, bool>>))]
[JsonSerializable(typeof(VolumeDto))]
[JsonSerializable(typeof(VolumeListResponse))]
[JsonSerializable(typeof(VolumeCreateRequest))]
[JsonSerializable(typeof(VolumePruneResponse))]
[JsonSerializable(typeof(TrustInspectResponse))]
[JsonSerializable(typeof(ImageVerifyRequest))]
[JsonSerializable(typeof(ImageVerifyResponse))]
public sealed partial class DockerJsonContext : JsonSerializerContext;
