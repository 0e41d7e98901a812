using System.Text.RegularExpressions;
using EventSourcedOms.Api.Tests.Support;

namespace EventSourcedOms.Api.Tests;

/// <summary>docs/api.md lists every route the API serves, with its roles (as the OpenAPI document says).</summary>
public sealed class DocsTests
{
    [Fact]
    public async Task docs_api_md_documents_every_route()
    {
        await using var api = new OmsApi(new SqliteBackend());
        var document = await api.As(null).GetJsonAsync("/swagger/v1/swagger.json");
        var docs = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "api.md"), TestContext.Current.CancellationToken);
        var documented = Regex.Matches(docs, @"`(?:(?:POST|PUT|GET) )?(/api/[^`?\s]*)").Select(m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();
        var missing = document.Body!["paths"]!.AsObject().Select(p => p.Key.ToLowerInvariant()).Where(p => !documented.Contains(p)).ToList();
        Assert.Empty(missing);
    }

    static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSourcedOms.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("EventSourcedOms.sln not found above " + AppContext.BaseDirectory);
    }
}
