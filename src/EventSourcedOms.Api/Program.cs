using EventSourcedOms.Api.Hosting;
using EventSourcedOms.Api.Security;

// `dotnet run --project src/EventSourcedOms.Api -- hash-key <key>` prints the hash to put in Oms:ApiKeys.
if (args is ["hash-key", var key])
{
    Console.WriteLine(ApiKeyRegistry.Hash(key));
    return;
}

// `dotnet run` keeps the caller's folder as the current directory (so the default ./data is where the user ran it);
// the settings files then live beside the app, not there.
var beside = !File.Exists("appsettings.json") && File.Exists(Path.Combine(AppContext.BaseDirectory, "appsettings.json"));
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = beside ? AppContext.BaseDirectory : null });
builder.AddOms(args);
var app = builder.Build();
app.UseOms();
await app.RunAsync();

/// <summary>The entry point, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in the API tests.</summary>
public partial class Program;
