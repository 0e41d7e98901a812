namespace EventSourcedOms.EventStore.Tests.Architecture;

public sealed class ContractTests
{
    [Fact]
    public void the_store_contract_references_no_database_or_package_assembly()
    {
        // Callers (handlers, projections) depend on the contract alone, so a backend can change without touching them.
        var references = typeof(IEventStore).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard",
            $"the contract must not reference {name}"));
    }
}
