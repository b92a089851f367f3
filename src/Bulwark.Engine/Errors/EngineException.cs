namespace Bulwark.Engine.Errors;

/// <summary>A failure that aborts an engine operation. The message names the object and the cause.</summary>
public sealed class EngineException : Exception
{
    public EngineException(ErrorKind kind, string message, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
    }

    public ErrorKind Kind { get; }

    /// <summary>For policy refusals: the id of the rule that refused the request.</summary>
    public string? Rule { get; init; }

    public static EngineException NotFound(string message) => new(ErrorKind.NotFound, message);
    public static EngineException Conflict(string message) => new(ErrorKind.Conflict, message);
    public static EngineException Invalid(string message) => new(ErrorKind.InvalidArgument, message);
    public static EngineException Forbidden(string rule, string message) => new(ErrorKind.Forbidden, message) { Rule = rule };
}
