using System.Reflection;

namespace EventSourcedOms.EventStore;

/// <summary>A backend's schema migrations: its embedded <c>*.sql</c> resources, in name order (001_, 002_, …).</summary>
internal static class EmbeddedSql
{
    public static IEnumerable<string> Migrations(Assembly assembly)
    {
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return reader.ReadToEnd();
        }
    }
}
