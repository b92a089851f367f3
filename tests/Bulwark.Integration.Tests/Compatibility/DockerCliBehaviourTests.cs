using System.Text.Json;
using System.Text.RegularExpressions;
using Bulwark.Integration.Tests.Fixtures;

namespace Bulwark.Integration.Tests.Compatibility;

/// <summary>
/// Behaviours the docker CLI 28 relies on, as dockerd shows them: tmpfs modes, supplementary groups, kill then rm,
/// removing a restarting container, save by ID, what inspect shows, prune's reclaimed space, network names.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DockerCliBehaviourTests(SharedDaemonFixture fx)
{
    private const string Image = SharedDaemonFixture.Image;

    private DaemonInstance D => fx.Daemon;

    [Fact]
    public async Task TmpfsTmp_InAReadOnlyContainer_Is1777AndWritableByANonRootUser()
    {
        var r = await OkAsync("run", "--rm", "--read-only", "--tmpfs", "/tmp", "--user", "65534:65534", Image,
            "sh", "-c", "stat -c '%a %U' /tmp; touch /tmp/f && echo tmp-written; touch /f 2>/dev/null || echo root-read-only");
        Assert.Equal(["1777 root", "tmp-written", "root-read-only"], Lines(r.Stdout));
    }

    [Fact]
    public async Task Tmpfs_OverA0755ImageDirectory_Is1777_AndModeUidGidSizeOptionsAreHonoured()
    {
        // The image's /data is 0755: the tmpfs mounted over it still starts 1777, as a fresh tmpfs does.
        var plain = await OkAsync("run", "--rm", "--tmpfs", "/data", Image, "stat", "-c", "%a", "/data");
        Assert.Equal("1777", plain.Stdout.Trim());

        var opts = await OkAsync("run", "--rm", "--tmpfs", "/data:mode=0750,uid=65534,gid=65534,size=1m", Image,
            "sh", "-c", "stat -c '%a %u %g' /data; df -k /data | tail -1 | awk '{print $2}'");
        Assert.Equal(["750 65534 65534", "1024"], Lines(opts.Stdout));

        var mount = await OkAsync("run", "--rm", "--mount", "type=tmpfs,dst=/data,tmpfs-mode=0700,tmpfs-size=2m", Image,
            "sh", "-c", "stat -c '%a' /data; df -k /data | tail -1 | awk '{print $2}'");
        Assert.Equal(["700", "2048"], Lines(mount.Stdout));
    }

    [Fact]
    public async Task GroupAdd_NumbersAndNamesFromTheImage_AreSupplementaryGroups_AndAnUnknownNameIsRefusedByName()
    {
        var r = await OkAsync("run", "--rm", "--user", "5:5", "--group-add", "1000", "--group-add", "nogroup", Image,
            "sh", "-c", "id -u; id -g; grep '^Groups:' /proc/self/status");
        string[] lines = Lines(r.Stdout);
        Assert.Equal("5", lines[0]);
        Assert.Equal("5", lines[1]);
        Assert.Equal(["1000", "65534"], lines[2]["Groups:".Length..].Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Order().ToArray());

        // An exec process gets the container's groups too.
        await OkAsync("run", "-d", "--name", "groupadd1", "--user", "5:5", "--group-add", "1000", Image, "sleep", "300");
        try
        {
            var exec = await OkAsync("exec", "--user", "7", "groupadd1", "grep", "^Groups:", "/proc/self/status");
            Assert.Contains("1000", exec.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "groupadd1");
        }

        var bad = await D.DockerAsync("run", "--name", "groupadd2", "--group-add", "no-such-group", Image, "true");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("unable to find group no-such-group", bad.Stderr, StringComparison.Ordinal);
        Assert.Equal("", (await OkAsync("ps", "-aq", "--filter", "name=^groupadd2$")).Stdout.Trim());
    }

    [Fact]
    public async Task KillThenRm_WithoutForce_NeverConflicts()
    {
        for (int i = 0; i < 3; i++)
        {
            string name = "killrm" + i;
            await OkAsync("run", "-d", "--name", name, Image, "sleep", "300");
            await OkAsync("kill", name);
            // dockerd answers a SIGKILL once the container is no longer running: inspect and rm right after see that.
            Assert.Equal("false", (await OkAsync("inspect", "--format", "{{.State.Running}}", name)).Stdout.Trim());
            await OkAsync("rm", name);
        }
    }

    [Fact]
    public async Task KillWithSigterm_OfAnInitThatHandlesIt_AnswersAfterTheExit()
    {
        // sh traps TERM and exits: the handler ends the process, and kill answers once it has.
        await OkAsync("run", "-d", "--name", "killterm", Image, "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.1; done");
        try
        {
            await WaitForAsync("killterm", "{{.State.Running}}", s => s == "true");
            await OkAsync("kill", "--signal", "TERM", "killterm");
            await OkAsync("rm", "killterm");
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "killterm");
        }
    }

    [Fact]
    public async Task RmOfARestartingContainer_WithoutForce_IsRefused_AndForceRemovesIt()
    {
        await OkAsync("run", "-d", "--name", "restarting1", "--restart", "always", Image, "sh", "-c", "exit 1");
        try
        {
            // The back-off doubles per restart (100 ms first). The count goes up when a restart begins, so "5 restarting"
            // may still be that start under way: wait for the run after it to have finished too (FinishedAt moves on);
            // the container then waits at least 3.2 s in "restarting".
            string id = (await OkAsync("inspect", "--format", "{{.Id}}", "restarting1")).Stdout.Trim();
            string first = "";
            await WaitForAsync("restarting1", "{{.RestartCount}}|{{.State.FinishedAt}}",
                s => int.Parse(s.Split('|')[0], System.Globalization.CultureInfo.InvariantCulture) >= 5 && (first = s.Split('|')[1]).Length > 0);
            await WaitForAsync("restarting1", "{{.State.Status}}|{{.State.FinishedAt}}",
                s => s.StartsWith("restarting|", StringComparison.Ordinal) && s.Split('|')[1] != first);
            var rm = await D.DockerAsync("rm", "restarting1");
            Assert.NotEqual(0, rm.ExitCode);
            Assert.True(rm.Stderr.Contains(
                $"You cannot remove a restarting container {id}. Stop the container before attempting removal or force remove",
                StringComparison.Ordinal), rm.ToString());
            await OkAsync("rm", "-f", "restarting1");
            Assert.Equal("", (await OkAsync("ps", "-aq", "--filter", "name=^restarting1$")).Stdout.Trim());
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "restarting1");
        }
    }

    [Fact]
    public async Task SaveByImageId_WritesNoRepoTags_AndLoadReportsTheIdOnce()
    {
        string id = (await OkAsync("image", "inspect", "--format", "{{.Id}}", Image)).Stdout.Trim();
        string dir = Path.Combine(D.Root, "save-by-id");
        Directory.CreateDirectory(dir);
        string tar = Path.Combine(dir, "image.tar");
        try
        {
            await OkAsync("save", "-o", tar, id);
            var manifest = await ProcessRunner.RunAsync("tar", ["-xOf", tar, "manifest.json"]);
            Assert.True(manifest.ExitCode == 0, manifest.ToString());
            using var doc = JsonDocument.Parse(manifest.Stdout);
            var entry = Assert.Single(doc.RootElement.EnumerateArray());
            Assert.True(!entry.TryGetProperty("RepoTags", out var tags) || tags.ValueKind == JsonValueKind.Null || tags.GetArrayLength() == 0,
                manifest.Stdout);

            var load = await OkAsync("load", "-i", tar);
            Assert.Equal(["Loaded image ID: " + id], Lines(load.Stdout));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Inspect_ShowsInitIsolationGroupAddAndEnvWithoutValue()
    {
        await OkAsync("create", "--name", "inspect-set", "--init", "--isolation", "default", "--group-add", "1000",
            "-e", "BULWARK_TEST_UNSET_VARIABLE", "-e", "A=1", Image, "true");
        try
        {
            var r = await OkAsync("inspect", "--format",
                "{{.HostConfig.Init}}|{{.HostConfig.Isolation}}|{{json .HostConfig.GroupAdd}}|{{json .Config.Env}}", "inspect-set");
            string[] parts = r.Stdout.Trim().Split('|');
            Assert.Equal("true", parts[0]);
            Assert.Equal("default", parts[1]);
            Assert.Equal("[\"1000\"]", parts[2]);
            Assert.Contains("\"BULWARK_TEST_UNSET_VARIABLE\"", parts[3], StringComparison.Ordinal);
            Assert.Contains("\"A=1\"", parts[3], StringComparison.Ordinal);

            var bad = await D.DockerAsync("create", "--isolation", "hyperv", Image, "true");
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("Invalid isolation: \"hyperv\"", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await D.DockerAsync("rm", "-f", "inspect-set");
        }
    }

    [Fact]
    public async Task ContainerPrune_ReportsTheSpaceTheRemovedWritableLayersHeld()
    {
        await OkAsync("run", "--name", "prune-space", "--label", "bwprunespace=1", Image,
            "dd", "if=/dev/zero", "of=/data/blob", "bs=1024", "count=64");
        var r = await OkAsync("container", "prune", "-f", "--filter", "label=bwprunespace=1");
        Assert.Equal("", (await OkAsync("ps", "-aq", "--filter", "name=^prune-space$")).Stdout.Trim());
        // 64 KiB written: docker prints SpaceReclaimed in decimal units ("65.54kB").
        var m = Regex.Match(r.Stdout, @"Total reclaimed space: ([0-9.]+)kB");
        Assert.True(m.Success, r.Stdout);
        Assert.InRange(double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 65.5, 80);
    }

    [Fact]
    public async Task NetworkNameWithASpace_IsCreatedUsedAndRemoved()
    {
        const string name = "test 01";
        await OkAsync("network", "create", name);
        try
        {
            Assert.Equal(name, (await OkAsync("network", "inspect", "--format", "{{.Name}}", name)).Stdout.Trim());
            await OkAsync("run", "--rm", "--network", name, Image, "true");
            await OkAsync("network", "rm", name);
            Assert.NotEqual(0, (await D.DockerAsync("network", "inspect", name)).ExitCode);
        }
        finally
        {
            await D.DockerAsync("network", "rm", name);
        }
    }

    private static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    private async Task WaitForAsync(string container, string format, Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = (await OkAsync("inspect", "--format", format, container)).Stdout.Trim();
            if (done(last))
            {
                return;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"{container}: {format} never matched; last {last}");
    }

    private async Task<CommandResult> OkAsync(params string[] args)
    {
        var r = await D.DockerAsync(args);
        Assert.True(r.ExitCode == 0, "docker " + string.Join(' ', args) + "\n" + r);
        return r;
    }
}
