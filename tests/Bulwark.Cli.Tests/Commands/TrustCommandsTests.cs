using System.Text.Json;
using Bulwark.Cli.Commands;

namespace Bulwark.Cli.Tests.Commands;

public sealed class TrustCommandsTests
{
    [Fact]
    public void Pretty_ListsSignedTagsKeysAndThePinningRule()
    {
        using var doc = JsonDocument.Parse("""
            {"Name": "r:5000/team/app",
             "SignedTags": [{"SignedTag": "v1", "Digest": "8e4f", "Signers": ["Repo Admin"]}],
             "AdministrativeKeys": [{"Name": "Root", "Keys": [{"ID": "3141"}]}, {"Name": "Repository", "Keys": [{"ID": "d12b"}]}],
             "PinnedBy": "trust-pinning.root-keys[\"r:5000/team/*\"]", "Mode": "enforced"}
            """);
        string text = TrustCommands.Pretty(doc.RootElement);
        Assert.Contains("Signatures for r:5000/team/app", text, StringComparison.Ordinal);
        Assert.Matches(@"v1\s+8e4f\s+Repo Admin", text);
        Assert.Contains("  Root Key:\t3141\n", text, StringComparison.Ordinal);
        Assert.Contains("  Repository Key:\td12b\n", text, StringComparison.Ordinal);
        Assert.Contains("Pinned by:\ttrust-pinning.root-keys[\"r:5000/team/*\"] (content trust enforced)", text, StringComparison.Ordinal);
    }
}
