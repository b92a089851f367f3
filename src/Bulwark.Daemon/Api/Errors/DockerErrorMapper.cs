using Bulwark.Engine.Errors;

namespace Bulwark.Daemon.Api.Errors;

/// <summary>The only place where engine error kinds become HTTP status codes.</summary>
internal static class DockerErrorMapper
{
    public static int StatusFor(ErrorKind kind) => kind switch
    {
        ErrorKind.NotFound => 404,
        ErrorKind.AlreadyExists => 409,
        ErrorKind.Conflict => 409,
        ErrorKind.InvalidArgument => 400,
        ErrorKind.Forbidden => 403,
        ErrorKind.Unavailable => 503,
        ErrorKind.NotImplemented => 501,
        ErrorKind.NotModified => 304,
        _ => 500,
    };
}
