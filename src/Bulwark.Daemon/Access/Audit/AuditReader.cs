using Bulwark.Api.Models.Audit;

namespace Bulwark.Daemon.Access.Audit;

/// <summary>Reads the audit log back: filtered listings for <c>bulwark audit ls</c>, and verification of the whole chain.</summary>
internal sealed class AuditReader(AuditFiles files)
{
    /// <summary>Request entries (not seals), oldest first, matching every given filter; unreadable lines are skipped.</summary>
    public List<AuditEntry> List(DateTimeOffset? since, string? identity, string? action)
    {
        var result = new List<AuditEntry>();
        foreach (var (_, path) in files.List())
        {
            foreach (byte[] line in AuditFiles.Lines(path))
            {
                if (AuditChain.Decode(line, out _) is not { Type: AuditEntry.RequestType } e)
                {
                    continue;
                }
                if (since is { } s && (!DateTimeOffset.TryParse(e.Time, System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal, out var t) || t < s))
                {
                    continue;
                }
                if (identity is not null && !MatchesIdentity(e.Identity, identity))
                {
                    continue;
                }
                if (action is not null && !string.Equals(e.Action, action, StringComparison.Ordinal))
                {
                    continue;
                }
                result.Add(e);
            }
        }
        return result;
    }

    /// <summary>"alice" matches "uid:1001 (alice)", "cert:alice" and "user:alice"; a full identity matches itself.</summary>
    private static bool MatchesIdentity(string? entryIdentity, string wanted) =>
        entryIdentity is not null
        && (entryIdentity == wanted || entryIdentity == "cert:" + wanted || entryIdentity.EndsWith("(" + wanted + ")", StringComparison.Ordinal)
            || entryIdentity.StartsWith(wanted + " ", StringComparison.Ordinal));

    /// <summary>Checks every entry's hash, sequence and link to the one before, every seal's MAC, and the last seal's position.</summary>
    public AuditVerifyResponse Verify()
    {
        byte[]? key = files.TryLoadKey();
        var state = files.ReadSealState(); // before the files: a seal written while we read is then not a false "cut"
        var list = files.List();
        string prev = AuditChain.Genesis;
        long expected = 1;
        long entries = 0, seals = 0, lastSealed = 0, unsealed = 0;
        var hashes = new Dictionary<long, string>();
        foreach (var (_, path) in list)
        {
            string name = Path.GetFileName(path);
            long lineNo = 0;
            foreach (byte[] line in AuditFiles.Lines(path))
            {
                lineNo++;
                AuditProblem Bad(string reason, long? seq = null) => new() { File = name, Line = lineNo, Seq = seq, Reason = reason };
                var e = AuditChain.Decode(line, out string? problem);
                if (e is null)
                {
                    return Failed(Bad(problem!));
                }
                if (e.Seq != expected)
                {
                    return Failed(Bad(e.Seq < expected
                        ? $"entry out of order: seq {e.Seq} comes after seq {expected - 1}"
                        : $"entries missing: expected seq {expected}, found seq {e.Seq}", e.Seq));
                }
                if (!string.Equals(e.Prev, prev, StringComparison.Ordinal))
                {
                    return Failed(Bad("hash chain broken: this entry does not follow the one before it (an earlier entry was altered, removed or reordered)", e.Seq));
                }
                if (e.Type == AuditEntry.SealType)
                {
                    if (key is null || !string.Equals(e.Mac, AuditChain.Mac(key, e.Prev, e.Seq), StringComparison.Ordinal))
                    {
                        return Failed(Bad("seal does not match: entries before it were rewritten (or the seal key was replaced)", e.Seq));
                    }
                    seals++;
                    lastSealed = e.Seq;
                    unsealed = 0;
                }
                else
                {
                    entries++;
                    unsealed++;
                }
                hashes[e.Seq] = e.Hash!;
                prev = e.Hash!;
                expected++;
            }
        }
        if (state is { } sealedAt && (!hashes.TryGetValue(sealedAt.Seq, out string? sealedHash) || sealedHash != sealedAt.Hash))
        {
            string lastFile = list.Count > 0 ? Path.GetFileName(list[^1].Path) : "(no file)";
            return Failed(new AuditProblem
            {
                File = lastFile,
                Seq = sealedAt.Seq,
                Reason = $"the log was cut: seq {sealedAt.Seq} was sealed but the log ends at seq {expected - 1} or differs there",
            });
        }
        return new AuditVerifyResponse { Ok = true, Entries = entries, Seals = seals, LastSealedSeq = lastSealed, Unsealed = unsealed, Files = list.Count };

        AuditVerifyResponse Failed(AuditProblem p) =>
            new() { Ok = false, Entries = entries, Seals = seals, LastSealedSeq = lastSealed, Unsealed = unsealed, Files = list.Count, FirstBad = p };
    }
}
