using System.Formats.Tar;
using System.Text;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Incident;

/// <summary>bulwark evidence: a signed bundle collected from a running container without changing it.</summary>
[Collection(DaemonCollection.Name)]
public sealed class EvidenceTests(SharedDaemonFixture fx)
{
    private DaemonInstance D => fx.Daemon;

    private static Dictionary<string, byte[]> ReadTar(string path)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var fs = File.OpenRead(path);
        using var reader = new TarReader(fs);
        while (reader.GetNextEntry() is { } e)
        {
            using var ms = new MemoryStream();
            e.DataStream?.CopyTo(ms);
            files[e.Name] = ms.ToArray();
        }
        return files;
    }

    private static string Text(Dictionary<string, byte[]> files, string name) =>
        files.TryGetValue(name, out byte[]? b) ? Encoding.UTF8.GetString(b) : throw new Xunit.Sdk.XunitException($"{name} missing from the bundle; has: {string.Join(", ", files.Keys)}");

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    [Fact]
    public async Task Evidence_HasEveryPart_LeavesContainerRunningUnchanged_NoSecretValue_TamperedBundleFailsVerify()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string ctr = "evid-" + suffix;
        string secret = "evid-pw-" + suffix;
        string value = "bw-evidence-secret-" + Guid.NewGuid().ToString("N");
        string dir = Path.Combine(D.Root, "evidence-" + suffix);
        Directory.CreateDirectory(dir);
        Assert.Equal(0, (await D.CliWithInputAsync(value, "secret", "create", secret, "-")).ExitCode);
        try
        {
            // A changed file, an open secret (fd 3), a listening socket (8080 = 0x1F90) and a log line once all are in place.
            var run = await D.CliAsync("run", "-d", "--name", ctr, "--secret", secret, SharedDaemonFixture.Image, "sh", "-c",
                $"echo changed-by-attacker > /etc/evidence-marker; exec 3</run/secrets/{secret}; " +
                "httpd -p 8080 -h /tmp; echo evidence-log-line; exec sleep 600");
            Assert.True(run.ExitCode == 0, run + "\n" + D.DaemonLog);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!(await D.CliAsync("logs", ctr)).Stdout.Contains("evidence-log-line", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "the container never logged its line\n" + D.DaemonLog);
                await Task.Delay(100);
            }
            string before = (await D.CliAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}} {{.RestartCount}}", ctr)).Stdout.Trim();

            string bundle = Path.Combine(dir, "bundle.tar");
            var evidence = await D.CliAsync("evidence", ctr, "-o", bundle);
            Assert.True(evidence.ExitCode == 0, evidence + "\n" + D.DaemonLog);

            // Unchanged: same state, same pid, same start, never paused.
            Assert.Equal(before, (await D.CliAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}} {{.RestartCount}}", ctr)).Stdout.Trim());
            Assert.StartsWith("running ", before, StringComparison.Ordinal);
            var events = await D.CliAsync("events", "--since", "5m", "--until", (DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--filter", "container=" + ctr, "--format", "{{.Action}}");
            Assert.DoesNotContain("pause", events.Stdout.Split('\n', StringSplitOptions.TrimEntries));
            Assert.DoesNotContain(events.Stdout.Split('\n', StringSplitOptions.TrimEntries), a => a.StartsWith("exec_", StringComparison.Ordinal));

            var files = ReadTar(bundle);
            Assert.Contains("\"Id\"", Text(files, "inspect.json"), StringComparison.Ordinal);
            string config = Text(files, "security/config.json");
            Assert.Contains("\"seccomp\"", config, StringComparison.Ordinal);
            Assert.Contains("\"uidMappings\"", config, StringComparison.Ordinal);
            Assert.Contains("evidence-log-line", Text(files, "logs/container-json.log"), StringComparison.Ordinal);
            Assert.Contains("\"start\"", Text(files, "events.json"), StringComparison.Ordinal);
            Assert.Contains("/etc/evidence-marker", Text(files, "filesystem/changes.txt"), StringComparison.Ordinal);
            Assert.True(Contains(files["filesystem/fs-diff.tar"], Encoding.UTF8.GetBytes("changed-by-attacker")), "the changed file's content is not in fs-diff.tar");
            string sockets = Text(files, "network/tcp") + Text(files, "network/tcp6");
            Assert.Matches(@":1F90 0+:0000 0A", sockets);
            var statuses = files.Keys.Where(k => k.StartsWith("processes/", StringComparison.Ordinal) && k.EndsWith("/status", StringComparison.Ordinal)).ToList();
            Assert.True(statuses.Count >= 2, string.Join(", ", files.Keys));
            Assert.Contains(statuses, s => Text(files, s).Contains("httpd", StringComparison.Ordinal));
            Assert.Contains(statuses, s => Text(files, s).Contains("Seccomp:\t2", StringComparison.Ordinal));
            Assert.Contains(files.Keys, k => k.EndsWith("/fd.txt", StringComparison.Ordinal) && Text(files, k).Contains("/run/secrets/" + secret, StringComparison.Ordinal));
            Assert.DoesNotContain(files.Keys, k => k.EndsWith("environ", StringComparison.Ordinal));
            Assert.Contains("environ", Text(files, "manifest.json"), StringComparison.Ordinal);

            // The secret's value is nowhere in the bundle (even though a process holds the file open).
            Assert.False(Contains(File.ReadAllBytes(bundle), Encoding.UTF8.GetBytes(value)), "the secret's value is in the bundle");

            // verify: with the daemon's key, with the key printed by `evidence key`, and a tampered copy fails naming the file.
            var ok = await D.CliAsync("evidence", "verify", bundle);
            Assert.True(ok.ExitCode == 0, ok.ToString());
            string keyFile = Path.Combine(dir, "key.pem");
            var key = await D.CliAsync("evidence", "key");
            Assert.Contains("BEGIN PUBLIC KEY", key.Stdout, StringComparison.Ordinal);
            await File.WriteAllTextAsync(keyFile, key.Stdout);
            Assert.Equal(0, (await D.CliAsync("evidence", "verify", bundle, "--key", keyFile)).ExitCode);

            string tampered = Path.Combine(dir, "tampered.tar");
            using (var output = File.Create(tampered))
            using (var writer = new TarWriter(output, TarEntryFormat.Pax))
            {
                foreach (var (name, data) in files)
                {
                    byte[] content = name == "logs/container-json.log" ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data).Replace("evidence-log-line", "innocent-log-line", StringComparison.Ordinal)) : data;
                    writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
                }
            }
            var bad = await D.CliAsync("evidence", "verify", tampered);
            Assert.Equal(1, bad.ExitCode);
            Assert.Contains("logs/container-json.log", bad.Stderr, StringComparison.Ordinal);

            var missing = await D.CliAsync("evidence", "no-such-container-" + suffix, "-o", Path.Combine(dir, "none.tar"));
            Assert.NotEqual(0, missing.ExitCode);
            Assert.Contains("No such container", missing.Stderr, StringComparison.OrdinalIgnoreCase);
            Assert.False(File.Exists(Path.Combine(dir, "none.tar")));
        }
        finally
        {
            await D.CliAsync("rm", "-f", ctr);
            await D.CliAsync("secret", "rm", secret);
            Directory.Delete(dir, recursive: true);
        }
    }
}
