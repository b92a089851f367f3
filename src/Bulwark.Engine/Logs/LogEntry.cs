using Bulwark.Engine.Containers;

namespace Bulwark.Engine.Logs;

/// <summary>One json-file log line: the text (with its newline), its stream and its time.</summary>
public sealed record LogEntry(OutputStream Stream, byte[] Text, DateTimeOffset Time);
