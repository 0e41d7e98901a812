using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using EventSourcedOms.Api.Hosting;
using Microsoft.Extensions.Options;

namespace EventSourcedOms.Api.Security;

/// <summary>The five roles. Each endpoint names the roles it admits (see <see cref="Access"/>).</summary>
public static class Role
{
    public const string Admin = "admin", Clerk = "clerk", Warehouse = "warehouse", Auditor = "auditor", Analyst = "analyst";

    public static IReadOnlyList<string> All { get; } = [Admin, Clerk, Warehouse, Auditor, Analyst];
}

/// <summary>Who may call what: one line per capability, used by the endpoints' <c>Roles(...)</c>.</summary>
public static class Access
{
    /// <summary>Place, import, hold, release, cancel.</summary>
    public static readonly string[] OrderWrite = [Role.Admin, Role.Clerk];

    /// <summary>Picking, packing, shipping, delivery.</summary>
    public static readonly string[] Fulfilment = [Role.Admin, Role.Warehouse];

    /// <summary>Receipts, adjustments, safety stock.</summary>
    public static readonly string[] StockWrite = [Role.Admin, Role.Warehouse];

    /// <summary>The location network.</summary>
    public static readonly string[] LocationWrite = [Role.Admin];

    /// <summary>Read models: orders, lines, timelines, inventory, dashboards.</summary>
    public static readonly string[] ReadModels = [Role.Admin, Role.Clerk, Role.Warehouse, Role.Analyst];

    /// <summary>KPIs.</summary>
    public static readonly string[] Kpis = [Role.Admin, Role.Analyst];

    /// <summary>Raw event history and as-of state.</summary>
    public static readonly string[] History = [Role.Admin, Role.Auditor];
}

public sealed record ApiKey(string Name, string Role);

/// <summary>
/// The configured keys, by hash. Keys are never stored or logged in clear: the header's value is hashed and looked up.
/// Configuration reloads are picked up.
/// </summary>
public sealed class ApiKeyRegistry
{
    public const string Header = "X-Api-Key";

    FrozenDictionary<string, ApiKey> _byHash = FrozenDictionary<string, ApiKey>.Empty;

    public ApiKeyRegistry(IOptionsMonitor<OmsOptions> options, ILogger<ApiKeyRegistry> logger)
    {
        Load(options.CurrentValue, logger);
        options.OnChange(o => Load(o, logger));
    }

    public static string Hash(string key) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public ApiKey? Find(string key) => _byHash.GetValueOrDefault(Hash(key));

    void Load(OmsOptions options, ILogger logger)
    {
        var keys = new Dictionary<string, ApiKey>(StringComparer.Ordinal);
        foreach (var k in options.ApiKeys)
        {
            var problem = string.IsNullOrWhiteSpace(k.Name) || !k.Name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? "a name of A-Z a-z 0-9 - _ ."
                : !Role.All.Contains(k.Role) ? $"a role, one of {string.Join(", ", Role.All)}"
                : !(k.Hash.StartsWith("sha256:", StringComparison.Ordinal) && k.Hash.Length == 71) ? "a hash of the form sha256:<64 hex digits>"
                : null;
            if (problem is not null) { logger.LogError("API key '{Name}' ignored: it needs {Problem}", k.Name, problem); continue; }
            keys[k.Hash.ToLowerInvariant()] = new ApiKey(k.Name, k.Role);
        }
        _byHash = keys.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
