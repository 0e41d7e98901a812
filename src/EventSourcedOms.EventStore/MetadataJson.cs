using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventSourcedOms.EventStore;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventMetadata))]
internal sealed partial class MetadataJsonContext : JsonSerializerContext;

/// <summary>Metadata is stored as a JSON object so that SQL can read it (<c>metadata-&gt;&gt;'correlationId'</c>).</summary>
internal static class MetadataJson
{
    public static byte[] Serialize(EventMetadata? metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(metadata ?? EventMetadata.Empty, MetadataJsonContext.Default.EventMetadata);

    public static EventMetadata Deserialize(ReadOnlySpan<byte> json) =>
        json.IsEmpty ? EventMetadata.Empty : JsonSerializer.Deserialize(json, MetadataJsonContext.Default.EventMetadata) ?? EventMetadata.Empty;
}
