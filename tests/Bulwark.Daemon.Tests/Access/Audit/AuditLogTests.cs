using System.Text;
using Bulwark.Api.Models.Audit;
using Bulwark.Daemon.Access.Audit;

namespace Bulwark.Daemon.Tests.Access.Audit;

/// <summary>The hash chain and seals: an intact log verifies; an edited, deleted, reordered or cut entry is named.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bw-audit-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private AuditFiles Files => new(_root);

    private void Write(int count, long maxFileBytes = 16 * 1024 * 1024, int sealEvery = 100)
    {
        using var log = new AuditLog(Files, maxFileBytes) { SealEvery = sealEvery };
        for (int i = 0; i < count; i++)
        {
            log.Append(new AuditEntry { Identity = "uid:1001 (alice)", Action = "container.create", Target = "c" + i, Outcome = "ok", Status = 201, RequestId = "r" + i });
        }
    }

    private string OnlyFile => Files.List().Single().Path;

    private static List<string> Lines(string path) => [.. File.ReadAllLines(path)];

    [Fact]
    public void IntactLog_Verifies_WithEntriesAndSeals()
    {
        Write(10, sealEvery: 4);
        var v = new AuditReader(Files).Verify();
        Assert.True(v.Ok, v.FirstBad?.Reason);
        Assert.Equal(10, v.Entries);
        Assert.True(v.Seals >= 3);
        Assert.Equal(0, v.Unsealed);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(OnlyFile));
    }

    [Fact]
    public void EditedEntry_FailsVerify_NamingThatLine()
    {
        Write(5);
        var lines = Lines(OnlyFile);
        lines[2] = lines[2].Replace("\"c2\"", "\"c9\"", StringComparison.Ordinal);
        File.WriteAllLines(OnlyFile, lines);
        var v = new AuditReader(Files).Verify();
        Assert.False(v.Ok);
        Assert.Equal(3, v.FirstBad!.Line);
        Assert.Contains("altered", v.FirstBad.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DeletedEntry_FailsVerify_AtTheEntryAfterTheGap()
    {
        Write(5);
        var lines = Lines(OnlyFile);
        lines.RemoveAt(1);
        File.WriteAllLines(OnlyFile, lines);
        var v = new AuditReader(Files).Verify();
        Assert.False(v.Ok);
        Assert.Equal(2, v.FirstBad!.Line);
        Assert.Contains("missing", v.FirstBad.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ReorderedEntries_FailVerify()
    {
        Write(5);
        var lines = Lines(OnlyFile);
        (lines[1], lines[2]) = (lines[2], lines[1]);
        File.WriteAllLines(OnlyFile, lines);
        var v = new AuditReader(Files).Verify();
        Assert.False(v.Ok);
        Assert.Equal(2, v.FirstBad!.Line);
    }

    [Fact]
    public void ChainRewrittenWithFreshHashes_IsCaughtByTheSeal()
    {
        Write(5);
        // An attacker without the seal key edits entry 2 and recomputes every hash after it.
        var entries = Lines(OnlyFile).Select(l => AuditChain.Decode(Encoding.UTF8.GetBytes(l), out _)!).ToList();
        string prev = AuditChain.Genesis;
        var rewritten = new StringBuilder();
        foreach (var e in entries)
        {
            var changed = e.Seq == 2 ? e with { Target = "innocent" } : e;
            var (line, hash) = AuditChain.Encode(changed with { Prev = prev });
            rewritten.Append(Encoding.UTF8.GetString(line));
            prev = hash;
        }
        File.WriteAllText(OnlyFile, rewritten.ToString());
        var v = new AuditReader(Files).Verify();
        Assert.False(v.Ok);
        Assert.Contains("seal does not match", v.FirstBad!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void SealedTailCutOff_FailsVerify()
    {
        Write(5);
        var lines = Lines(OnlyFile);
        File.WriteAllLines(OnlyFile, lines.Take(3));
        var v = new AuditReader(Files).Verify();
        Assert.False(v.Ok);
        Assert.Contains("the log was cut", v.FirstBad!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rotation_StartsNewFiles_AndTheChainContinuesAcrossThemAndRestarts()
    {
        Write(30, maxFileBytes: 2048);
        Write(5, maxFileBytes: 2048);
        Assert.True(Files.List().Count > 2);
        var v = new AuditReader(Files).Verify();
        Assert.True(v.Ok, v.FirstBad?.Reason);
        Assert.Equal(35, v.Entries);
        Assert.Equal(35, new AuditReader(Files).List(null, null, null).Count);
    }

    [Fact]
    public void DeletedOldFile_FailsVerify_InTheNextFile()
    {
        Write(30, maxFileBytes: 2048);
        var files = Files.List();
        File.Delete(files[1].Path);
        var v = new AuditReader(Files).Verify();
        Assert.False(v.Ok);
        Assert.Equal(Path.GetFileName(files[2].Path), v.FirstBad!.File);
    }

    [Fact]
    public void List_FiltersByIdentityNameAndAction()
    {
        using (var log = new AuditLog(Files))
        {
            log.Append(new AuditEntry { Identity = "uid:1001 (alice)", Action = "container.create", Outcome = "ok" });
            log.Append(new AuditEntry { Identity = "cert:bob", Action = "container.start", Outcome = "denied" });
        }
        var reader = new AuditReader(Files);
        Assert.Equal("container.create", Assert.Single(reader.List(null, "alice", null)).Action);
        Assert.Equal("cert:bob", Assert.Single(reader.List(null, "bob", null)).Identity);
        Assert.Equal("cert:bob", Assert.Single(reader.List(null, null, "container.start")).Identity);
        Assert.Empty(reader.List(DateTimeOffset.UtcNow.AddMinutes(1), null, null));
    }
}
