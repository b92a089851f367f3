using Bulwark.Engine.Errors;
using Bulwark.Engine.Images;
using Bulwark.Engine.Images.Manifests;

namespace Bulwark.Engine.Tests.Registry;

public sealed class PullReferenceTests
{
    private static readonly string Digest = "sha256:" + new string('b', 64);

    [Theory]
    [InlineData("127.0.0.1:5000/ns/name", "1", "127.0.0.1:5000", "ns/name", "1")]
    [InlineData("127.0.0.1:5000/ns/name", null, "127.0.0.1:5000", "ns/name", "latest")]
    [InlineData("127.0.0.1:5000/ns/name:v2", "", "127.0.0.1:5000", "ns/name", "v2")]
    [InlineData("localhost:5000/a/b/c", "t", "localhost:5000", "a/b/c", "t")]
    [InlineData("127.0.0.1:5000/ns/name:1", "2", "127.0.0.1:5000", "ns/name", "2")]
    [InlineData("busybox", "1.36", "docker.io", "library/busybox", "1.36")]
    public void TagForms(string image, string? tag, string domain, string path, string expectedTag)
    {
        var r = ImageService.PullReference(image, tag);
        Assert.Equal(domain, r.Domain);
        Assert.Equal(path, r.Path);
        Assert.Equal(expectedTag, r.Tag);
        Assert.Null(r.Digest);
    }

    [Fact]
    public void DigestInTagParameter_IsADigestPull()
    {
        var r = ImageService.PullReference("127.0.0.1:5000/ns/name", Digest);
        Assert.Null(r.Tag);
        Assert.Equal(Digest, r.Digest);
        Assert.Equal("127.0.0.1:5000/ns/name@" + Digest, r.Familiar);
    }

    [Fact]
    public void DigestInImage_IsADigestPull()
    {
        var r = ImageService.PullReference("127.0.0.1:5000/ns/name@" + Digest, null);
        Assert.Equal(Digest, r.Digest);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/ns/name", "sha256:short")]
    [InlineData("127.0.0.1:5000/ns/name@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "2")]
    [InlineData("127.0.0.1:5000/NS/name", "1")]
    [InlineData("127.0.0.1:5000/ns/name", "bad tag")]
    public void Invalid(string image, string tag) =>
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<EngineException>(() => ImageService.PullReference(image, tag)).Kind);

    [Fact]
    public void SelectPlatform_PicksLinuxAmd64WhateverTheVariant()
    {
        var list = new List<OciDescriptor>
        {
            new() { MediaType = "application/vnd.oci.image.manifest.v1+json", Digest = "sha256:" + new string('1', 64), Platform = new() { Os = "linux", Architecture = "arm64", Variant = "v8" } },
            new() { MediaType = "application/vnd.docker.distribution.manifest.v2+json", Digest = "sha256:" + new string('2', 64), Platform = new() { Os = "linux", Architecture = "amd64", Variant = "v3" } },
        };
        Assert.Equal("sha256:" + new string('2', 64), ImageService.SelectPlatform(list, "x").Digest);
    }

    [Fact]
    public void SelectPlatform_NoMatch_NamesThePlatformsThereAre()
    {
        var list = new List<OciDescriptor>
        {
            new() { MediaType = "application/vnd.oci.image.manifest.v1+json", Digest = "sha256:" + new string('1', 64), Platform = new() { Os = "linux", Architecture = "arm64", Variant = "v8" } },
            new() { MediaType = "application/vnd.oci.image.manifest.v1+json", Digest = "sha256:" + new string('3', 64), Platform = new() { Os = "windows", Architecture = "amd64" } },
        };
        var ex = Assert.Throws<EngineException>(() => ImageService.SelectPlatform(list, "reg/x:1"));
        Assert.Contains("linux/amd64", ex.Message, StringComparison.Ordinal);
        Assert.Contains("linux/arm64/v8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("windows/amd64", ex.Message, StringComparison.Ordinal);
    }
}
