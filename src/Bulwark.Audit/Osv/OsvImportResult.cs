namespace Bulwark.Audit.Osv;

/// <summary>What one import read and what the database holds afterwards.</summary>
public sealed record OsvImportResult(int RecordsRead, int Withdrawn, int PackagesTouched, int RecordsInDatabase);
