using EventSourcedOms.Domain.Orders;

namespace EventSourcedOms.Application.Orders;

static class LineQuantities
{
    public static void Validate(IReadOnlyList<LineQuantity>? lines, string field, Validator v)
    {
        if (lines is null || lines.Count == 0) { v.Error(field, "must name at least one line"); return; }
        v.Require(lines.Count <= OrderPlacement.MaxLines, field, $"must have at most {OrderPlacement.MaxLines} entries");
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i] is null) { v.Error($"{field}[{i}]", "is required"); continue; }
            v.Require(lines[i].LineNo is > 0 and <= 10_000, $"{field}[{i}].lineNo", "must be between 1 and 10000")
             .Positive(lines[i].Quantity, $"{field}[{i}].quantity", max: 100_000);
        }
    }
}
