using System.Text;
using System.Text.Json;
using Bulwark.Integration.Tests.Fixtures;
using Org.BouncyCastle.Crypto.Generators;

namespace Bulwark.Integration.Tests.Registry;

/// <summary>
/// <c>docker login</c> and <c>bulwark login/logout</c> against Debian's docker-registry with htpasswd (bcrypt) auth: the
/// daemon checks the credentials with the registry; both CLIs keep them in one 0600 config.json; our pull/push use them.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class LoginTests(SharedDaemonFixture fx) : IAsyncLifetime
{
    private const string User = "alice";
    private const string Password = "s3cret-Pa55";

    private LocalRegistry registry = null!;
    private string dir = "";

    private DaemonInstance D => fx.Daemon;

    private string ConfigDir => Path.Combine(dir, "docker-config");

    public async Task InitializeAsync()
    {
        dir = Path.Combine(D.Root, "login-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        string htpasswd = Path.Combine(dir, "htpasswd");
        string hash = OpenBsdBCrypt.Generate("2y", Password.ToCharArray(), System.Security.Cryptography.RandomNumberGenerator.GetBytes(16), 4);
        await File.WriteAllTextAsync(htpasswd, $"{User}:{hash}\n");
        registry = await LocalRegistry.StartAsync(htpasswd);
    }

    public async Task DisposeAsync()
    {
        await registry.DisposeAsync();
        Directory.Delete(dir, recursive: true);
    }

    private Task<CommandResult> DockerAsync(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.DockerCli, args, new Dictionary<string, string> { ["DOCKER_HOST"] = D.Host, ["DOCKER_CONFIG"] = ConfigDir }, stdin);

    private Task<CommandResult> BulwarkAsync(string? stdin, params string[] args) =>
        ProcessRunner.RunAsync(RepoPaths.Cli, args, new Dictionary<string, string> { ["BULWARK_HOST"] = D.Host, ["DOCKER_CONFIG"] = ConfigDir }, stdin);

    [Fact]
    public async Task DockerLogin_WrongPasswordIs401WithTheRegistrysReason_RightOneSucceeds()
    {
        var wrong = await DockerAsync("nope", "login", "-u", User, "--password-stdin", registry.Host);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("401 Unauthorized", wrong.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ConfigDir, "config.json")) && File.ReadAllText(Path.Combine(ConfigDir, "config.json")).Contains(registry.Host, StringComparison.Ordinal));

        var right = await DockerAsync(Password, "login", "-u", User, "--password-stdin", registry.Host);
        Assert.True(right.ExitCode == 0, right + registry.Log);
        Assert.Contains("Login Succeeded", right.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BulwarkLogin_StoresCredentials0600LikeDocker_AndPushPullUseThem_LogoutForgetsThem()
    {
        string image = registry.Host + "/team/app:1";
        Assert.Equal(0, (await BulwarkAsync(null, "tag", SharedDaemonFixture.Image, image)).ExitCode);
        try
        {
            var anonymous = await BulwarkAsync(null, "push", "-q", image);
            Assert.NotEqual(0, anonymous.ExitCode);
            Assert.Contains("unauthorized", anonymous.Stderr, StringComparison.OrdinalIgnoreCase);

            var wrong = await BulwarkAsync("nope\n", "login", "-u", User, "--password-stdin", registry.Host);
            Assert.Equal(1, wrong.ExitCode);
            Assert.Contains("401 Unauthorized", wrong.Stderr, StringComparison.Ordinal);

            var login = await BulwarkAsync(Password + "\n", "login", "-u", User, "--password-stdin", registry.Host);
            Assert.True(login.ExitCode == 0, login.ToString());
            Assert.Equal("Login Succeeded", login.Stdout.Trim());
            string file = Path.Combine(ConfigDir, "config.json");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            using (var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file)))
            {
                string auth = doc.RootElement.GetProperty("auths").GetProperty(registry.Host).GetProperty("auth").GetString()!;
                Assert.Equal($"{User}:{Password}", Encoding.UTF8.GetString(Convert.FromBase64String(auth)));
            }

            var push = await BulwarkAsync(null, "push", "-q", image);
            Assert.True(push.ExitCode == 0, push + registry.Log);
            Assert.Equal(0, (await BulwarkAsync(null, "rmi", image)).ExitCode);
            var pull = await BulwarkAsync(null, "pull", "-q", image);
            Assert.True(pull.ExitCode == 0, pull.ToString());

            // The docker CLI reads the same file: it can log out what bulwark logged in.
            var dockerLogout = await DockerAsync(null, "logout", registry.Host);
            Assert.True(dockerLogout.ExitCode == 0, dockerLogout.ToString());
            var again = await BulwarkAsync(null, "logout", registry.Host);
            Assert.Equal("Not logged in to " + registry.Host, again.Stdout.Trim());
            Assert.Equal(0, (await BulwarkAsync(null, "rmi", image)).ExitCode);
            var anonymousPull = await BulwarkAsync(null, "pull", "-q", image);
            Assert.NotEqual(0, anonymousPull.ExitCode);
        }
        finally
        {
            await BulwarkAsync(null, "rmi", image);
        }
    }
}
