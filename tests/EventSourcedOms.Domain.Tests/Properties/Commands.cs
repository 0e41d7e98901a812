using FsCheck;
using FsCheck.Fluent;

namespace EventSourcedOms.Domain.Tests.Properties;

// Commands name SKUs, locations, orders, lines and shipments by index; the model maps an index onto what exists at
// that moment (modulo the count), so every generated sequence means something whatever ran before it. Fulfilment
// steps prefer orders and locations with work left for them, and a quantity of 0 means "everything left there":
// both let orders get all the way through the lifecycle instead of being rejected at random.

public abstract record Command;

public sealed record LineSpec(int Sku, int Quantity)
{
    public override string ToString() => $"{Sku}×{Quantity}";
}

public sealed record Place(LineSpec[] Lines, bool Backorder, int PlacedMinute) : Command
{
    public override string ToString() => $"Place([{string.Join(", ", Lines.AsEnumerable())}], {(Backorder ? "backorder" : "reject")}, +{PlacedMinute}m)";
}

public sealed record Receive(int Sku, int Location, int Quantity) : Command;

public sealed record Adjust(int Sku, int Location, int Delta) : Command;

public sealed record SetSafety(int Sku, int Location, int Quantity) : Command;

public sealed record Hold(int Order) : Command;

public sealed record Release(int Order) : Command;

public sealed record Cancel(int Order) : Command;

public sealed record CancelLine(int Order, int Line, int Quantity) : Command;

public sealed record StartPicking(int Order, int? Location) : Command;

public sealed record Pick(int Order, int Location, int Line, int Quantity) : Command;

public sealed record Pack(int Order, int Location, int Line, int Quantity) : Command;

public sealed record Ship(int Order, int Location, int Line, int Quantity) : Command;

/// <summary>Sends a recorded shipment again, exactly as recorded: must write nothing.</summary>
public sealed record Reship(int Order, int Shipment) : Command;

public sealed record Deliver(int Order, int Shipment) : Command;

public sealed record FillBackorders(int Sku, int MaxOrders) : Command;

public sealed record LocationSpec(int Priority, bool Ships);

public sealed record Scenario(int SkuCount, LocationSpec[] Locations, Command[] Commands)
{
    public override string ToString() =>
        $"{SkuCount} SKU(s), locations [{string.Join(", ", Locations.AsEnumerable())}]{Environment.NewLine}  " +
        string.Join(Environment.NewLine + "  ", Commands.Select((c, i) => $"{i,3}: {c}"));
}

public static class Scenarios
{
    public static Arbitrary<Scenario> Arbitrary { get; } = Arb.From(Generator, Shrink);

    public static Gen<Scenario> Generator =>
        from skuCount in Gen.Choose(1, 2)
        from locationCount in Gen.Choose(2, 3)
        from priorities in Gen.Choose(1, 3).ArrayOf(locationCount)
        from ships in Gen.Frequency((4, Gen.Constant(true)), (1, Gen.Constant(false))).ArrayOf(locationCount)
        from length in Gen.Choose(20, 80)
        from commands in CommandFor(skuCount, locationCount).ArrayOf(length)
        select new Scenario(skuCount, [.. priorities.Select((p, i) => new LocationSpec(p, i == 0 || ships[i]))], commands);

    static Gen<Command> CommandFor(int skuCount, int locationCount)
    {
        var sku = Gen.Choose(0, skuCount - 1);
        var location = Gen.Choose(0, locationCount - 1);
        // Orders are counted back from the latest, so most commands act on the few orders placed last.
        var order = Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 2)), (1, Gen.Choose(3, 9)));
        var line = Gen.Choose(0, 2);
        var quantityOrAll = Gen.Frequency((3, Gen.Constant(0)), (2, Gen.Choose(1, 3)));

        var place =
            from count in Gen.Choose(1, 3)
            from lines in (from s in sku from q in Gen.Choose(1, 5) select new LineSpec(s, q)).ArrayOf(count)
            from backorder in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
            from minute in Gen.Choose(0, 5)
            select (Command)new Place(lines, backorder, minute);

        return Gen.Frequency(
            (4, place),
            (6, from s in sku from l in location from q in Gen.Choose(1, 12) select (Command)new Receive(s, l, q)),
            (2, from s in sku from l in location from d in Gen.Choose(-4, 3) select (Command)new Adjust(s, l, d)),
            (2, from s in sku from l in location from q in Gen.Choose(0, 3) select (Command)new SetSafety(s, l, q)),
            (1, from o in order select (Command)new Hold(o)),
            (2, from o in order select (Command)new Release(o)),
            (1, from o in order select (Command)new Cancel(o)),
            (2, from o in order from n in line from q in Gen.Choose(1, 3) select (Command)new CancelLine(o, n, q)),
            (4, from o in order from l in Gen.Frequency((2, Gen.Constant<int?>(null)), (1, location.Select(x => (int?)x))) select (Command)new StartPicking(o, l)),
            (6, from o in order from l in location from n in line from q in quantityOrAll select (Command)new Pick(o, l, n, q)),
            (6, from o in order from l in location from n in line from q in quantityOrAll select (Command)new Pack(o, l, n, q)),
            (6, from o in order from l in location from n in line from q in quantityOrAll select (Command)new Ship(o, l, n, q)),
            (1, from o in order from s in Gen.Choose(0, 2) select (Command)new Reship(o, s)),
            (3, from o in order from s in Gen.Choose(0, 2) select (Command)new Deliver(o, s)),
            (4, from s in sku from m in Gen.Choose(1, 3) select (Command)new FillBackorders(s, m)));
    }

    /// <summary>Shorter command sequences first: halves, quarters, … down to single commands.</summary>
    static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var commands = scenario.Commands;
        for (var size = commands.Length / 2; size >= 1; size /= 2)
            for (var start = 0; start + size <= commands.Length; start += size)
                yield return scenario with { Commands = [.. commands[..start], .. commands[(start + size)..]] };
    }
}
