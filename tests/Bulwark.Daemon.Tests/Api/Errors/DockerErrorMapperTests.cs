using Bulwark.Daemon.Api.Errors;
using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Tests.Api.Errors;

public sealed class DockerErrorMapperTests
{
    [Theory]
    [InlineData(ErrorKind.NotFound, 404)]
    [InlineData(ErrorKind.Conflict, 409)]
    [InlineData(ErrorKind.AlreadyExists, 409)]
    [InlineData(ErrorKind.InvalidArgument, 400)]
    [InlineData(ErrorKind.Forbidden, 403)]
    [InlineData(ErrorKind.NotImplemented, 501)]
    [InlineData(ErrorKind.Internal, 500)]
    public void StatusFor_EachKind_IsDockersStatus(ErrorKind kind, int status) => Assert.Equal(status, DockerErrorMapper.StatusFor(kind));
}
