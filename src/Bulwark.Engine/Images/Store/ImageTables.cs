using Bulwark.Engine.Metadata;

namespace Bulwark.Engine.Images.Store;

/// <summary>An immutable snapshot of the images and tags tables: readers take one and never lock.</summary>
internal sealed record ImageTables(IReadOnlyDictionary<string, ImageRow> Images, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>Full tag keys pointing at the image, sorted.</summary>
    public List<string> TagsOf(string imageId) =>
        Tags.Where(t => t.Value == imageId).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
}
