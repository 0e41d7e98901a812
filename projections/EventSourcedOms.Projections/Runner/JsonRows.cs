using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EventSourcedOms.Projections.Runner;

/// <summary>
/// A batch's rows travel to the database as one JSON array parameter, so that a table is written with one statement
/// per batch in both dialects (PostgreSQL <c>json_populate_recordset</c>, SQLite <c>json_each</c>) instead of one
/// statement per row. Property names become column names (snake_case); timestamps are written as each database stores
/// them: in SQLite, UTC text exactly as Microsoft.Data.Sqlite binds a <see cref="DateTimeOffset"/> parameter (Dapper
/// passes those itself, so this is the format every query compares with); microseconds for PostgreSQL (what
/// <c>timestamptz</c> keeps).
/// </summary>
static class JsonRows
{
    static readonly JsonSerializerOptions Postgres = Options("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'");
    static readonly JsonSerializerOptions Sqlite = Options("yyyy-MM-dd HH:mm:ss.FFFFFFF'+00:00'");

    public static string Serialize<T>(SqlDialect dialect, IEnumerable<T> rows) =>
        JsonSerializer.Serialize(rows, dialect == SqlDialect.Postgres ? Postgres : Sqlite);

    public static string Column(string property) => JsonNamingPolicy.SnakeCaseLower.ConvertName(property);

    /// <summary><c>select &lt;columns&gt; from</c> the rows of the JSON parameter <c>@rows</c>, typed as <paramref name="table"/>'s columns.</summary>
    public static string Select(SqlDialect dialect, string table, IEnumerable<string> columns) => dialect == SqlDialect.Postgres
        ? $"select {string.Join(", ", columns)} from json_populate_recordset(null::{table}, @rows::json)"
        : $"select {string.Join(", ", columns.Select(c => $"json_extract(value, '$.{c}')"))} from json_each(@rows)";

    static JsonSerializerOptions Options(string timestampFormat) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new Timestamp(timestampFormat) },
    };

    sealed class Timestamp(string format) : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Rows are only written.");

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString(format, CultureInfo.InvariantCulture));
    }
}
