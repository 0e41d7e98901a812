using System.Text;
using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Application.Tests.Docs;

/// <summary>docs/order-lifecycle.md shows the transition table users read; it must be the table the code enforces.</summary>
public sealed class LifecycleDocTests
{
    const string Start = "<!-- transition-table:start -->", End = "<!-- transition-table:end -->";

    [Fact]
    public void the_documented_transition_table_is_the_one_the_code_enforces()
    {
        var path = Path.Combine(RepoRoot(), "docs", "order-lifecycle.md");
        var doc = File.ReadAllText(path);
        var from = doc.IndexOf(Start, StringComparison.Ordinal) + Start.Length;
        var to = doc.IndexOf(End, StringComparison.Ordinal);
        // OMS_UPDATE_DOCS=1 rewrites the table after a deliberate change to the lifecycle.
        if (Environment.GetEnvironmentVariable("OMS_UPDATE_DOCS") == "1")
            File.WriteAllText(path, doc[..from] + "\n" + Render() + "\n" + doc[to..]);
        var documented = File.ReadAllText(path)[from..].Split(End)[0].Trim();

        Assert.Equal(Render(), documented);
    }

    /// <summary>Markdown of <see cref="OrderLifecycle"/>: one row per action, ✓ where allowed, else the error code.</summary>
    public static string Render()
    {
        var statuses = Enum.GetValues<OrderStatus>();
        var sb = new StringBuilder();
        sb.Append("| action \\ status |").AppendJoin("", statuses.Select(s => $" {s.ToCode()} |")).Append('\n');
        sb.Append("|---|").AppendJoin("", statuses.Select(_ => "---|")).Append('\n');
        foreach (var action in Enum.GetValues<OrderAction>())
        {
            sb.Append($"| {action} |");
            foreach (var status in statuses)
                sb.Append(OrderLifecycle.Rejection(action, status) is { } code ? $" `{code}` |" : " ✓ |");
            sb.Append('\n');
        }
        return sb.ToString().Trim();
    }

    static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "EventSourcedOms.sln"))) return dir.FullName;
        throw new InvalidOperationException("EventSourcedOms.sln not found above " + AppContext.BaseDirectory);
    }
}
