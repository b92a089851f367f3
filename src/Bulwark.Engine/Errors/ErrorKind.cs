namespace Bulwark.Engine.Errors;

/// <summary>The closed set of failure classes; only the API adapter turns them into status codes.</summary>
public enum ErrorKind
{
    Internal,
    NotFound,
    AlreadyExists,
    Conflict,
    InvalidArgument,
    Forbidden,
    Unavailable,
    NotImplemented,
    NotModified,
}
