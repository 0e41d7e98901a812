using EventSourcedOms.Api.Hosting;
using EventSourcedOms.Api.Security;

// `dotnet run --project src/EventSourcedOms.Api -- hash-key <key>` prints the hash to put in Oms:ApiKeys.
if (args is ["hash-key", var key])
{
    Console.WriteLine(ApiKeyRegistry.Hash(key));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddOms(args);
var app = builder.Build();
app.UseOms();
await app.RunAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the API tests.</summary>
public partial class Program;
