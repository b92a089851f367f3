namespace Bulwark.Audit;

/// <summary>Bad input or state the user can fix (a malformed OSV file, an image archive we cannot read, …).</summary>
public sealed class AuditException : Exception
{
    public AuditException(string message)
        : base(message)
    {
    }

    public AuditException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AuditException()
    {
    }
}
