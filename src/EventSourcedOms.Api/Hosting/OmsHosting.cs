using System.Text.Json;
using System.Text.Json.Serialization;
using EventSourcedOms.Api.Errors;
using EventSourcedOms.Api.Features;
using EventSourcedOms.Api.Security;
using EventSourcedOms.Application;
using EventSourcedOms.EventStore;
using EventSourcedOms.Projections;
using EventSourcedOms.Projections.FulfilmentQueue;
using EventSourcedOms.Projections.Inventory;
using EventSourcedOms.Projections.Kpis;
using EventSourcedOms.Projections.OrderLines;
using EventSourcedOms.Projections.OrderSummary;
using EventSourcedOms.Projections.OrderTimeline;
using EventSourcedOms.Projections.Runner;
using FastEndpoints;
using FastEndpoints.Swagger;
using FluentValidation.Results;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace EventSourcedOms.Api.Hosting;

public static class OmsHosting
{
    /// <summary>Everything the OMS needs, read from configuration when first used (so tests and hosts can override it).</summary>
    public static WebApplicationBuilder AddOms(this WebApplicationBuilder builder, string[] args)
    {
        if (args.Contains("--demo")) builder.Configuration["Oms:Demo"] = "true";
        var services = builder.Services;
        services.Configure<OmsOptions>(builder.Configuration.GetSection(OmsOptions.Section));

        // Storage, commands, read models.
        services.AddOmsApplication();
        services.AddSingleton(OmsStorage.OpenStore);
        services.AddSingleton(OmsStorage.OpenReadModels);
        services.AddSingleton(sp => new ProjectionHost(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ProjectionDatabase>(), ReadModels.All, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ReadYourWrites(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ProjectionDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ProjectionStatusQueries(sp.GetRequiredService<IEventStore>(), sp.GetRequiredService<ProjectionDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new OrderSummaryQueries(sp.GetRequiredService<ProjectionDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new FulfilmentQueueQueries(sp.GetRequiredService<ProjectionDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<OrderLinesQueries>();
        services.AddSingleton<OrderTimelineQueries>();
        services.AddSingleton<InventoryQueries>();
        services.AddSingleton<KpiQueries>();
        services.AddSingleton<OrderReader>();
        // Hosted services start in order: the store and tables first, then the projections (if this process runs them).
        services.AddHostedService<OmsStartup>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<IOptions<OmsOptions>>().Value.RunProjections
            ? new ProjectionHostedService(sp.GetRequiredService<ProjectionHost>())
            : new NoProjections());

        // HTTP: API keys, endpoints, OpenAPI, errors, health, telemetry.
        services.AddSingleton<ApiKeyRegistry>();
        services.AddAuthentication(ApiKeyAuthentication.Name).AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.Name, null);
        services.AddAuthorization();
        services.AddFastEndpoints().SwaggerDocument(o =>
        {
            o.AutoTagPathSegmentIndex = 2;
            o.EnableJWTBearerAuth = false;
            o.DocumentSettings = s =>
            {
                s.Title = "EventSourcedOms API";
                s.Version = "v1";
                s.Description = "Event-sourced order management: commands, read models, auditor history. Authenticate with the X-Api-Key header.";
                s.AddAuth(ApiKeyAuthentication.Name, new NSwag.OpenApiSecurityScheme { Type = NSwag.OpenApiSecuritySchemeType.ApiKey, Name = ApiKeyRegistry.Header, In = NSwag.OpenApiSecurityApiKeyLocation.Header });
            };
        });
        services.AddExceptionHandler<OmsExceptionHandler>();
        services.AddProblemDetails();
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = context.Configuration.GetValue<long?>("Oms:MaxRequestBodyBytes") ?? new OmsOptions().MaxRequestBodyBytes);
        services.AddOmsHealth();
        builder.AddOmsTelemetry();
        return builder;
    }

    public static WebApplication UseOms(this WebApplication app)
    {
        app.UseExceptionHandler();
        // Resolved once: the options are a singleton value, the logger is the same for every request.
        var options = app.Services.GetRequiredService<IOptions<OmsOptions>>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EventSourcedOms.Api");
        app.Use(async (context, next) =>
        {
            context.Response.Headers[Correlation.CorrelationIdHeader] = context.CorrelationId();
            var limit = options.Value.MaxRequestBodyBytes;
            if (context.Request.ContentLength > limit)
            {
                await ApiProblem.Of(413, "body-too-large", "The request body is too large", $"At most {limit} bytes.").WriteAsync(context);
                return;
            }
            // An empty body is no body, whatever its Content-Type says: on GET it is ignored, and a bodiless POST or PUT
            // (release, picking, delivery) reads as an empty JSON object.
            if (context.Request.ContentLength == 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContainsKey("Transfer-Encoding")))
            {
                if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method))
                {
                    context.Request.Body = new MemoryStream("{}"u8.ToArray());
                    context.Request.ContentLength = 2;
                    context.Request.ContentType = "application/json";
                }
                else context.Request.ContentType = null;
            }
            using (logger.BeginScope("CorrelationId:{CorrelationId}", context.CorrelationId()))
                await next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseFastEndpoints(c =>
        {
            var json = c.Serializer.Options;
            json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.AllowDuplicateProperties = false;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            c.Binding.JsonExceptionTransformer = JsonErrors.ToFailure;
            c.Errors.ContentType = "application/problem+json";
            c.Errors.ProducesMetadataType = typeof(ApiProblem);
            c.Errors.ResponseBuilder = (failures, context, status) =>
                (ApiProblem.Validation(failures.Select(f => (JsonErrors.FieldName(f.PropertyName), f.ErrorMessage))) with { Status = status }).For(context);
        });
        app.UseSwaggerGen();
        app.MapOmsHealth();
        return app;
    }

    sealed class NoProjections : IHostedService
    {
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}

/// <summary>Turns System.Text.Json's complaints into field-named validation errors.</summary>
static class JsonErrors
{
    public static ValidationFailure ToFailure(JsonException e)
    {
        var path = e.Path is { Length: > 1 } p ? p.TrimStart('$').TrimStart('.') : "";
        var message = e.Message;
        if (message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal) && Quoted(message) is { } unknown)
            return new ValidationFailure(Join(path, unknown), "is not a known field");
        if (message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) || message.Contains("duplicate", StringComparison.Ordinal))
            return new ValidationFailure(path.Length > 0 ? path : "body", "appears more than once");
        if (path.Length > 0) return new ValidationFailure(path, "has the wrong type or format");
        return new ValidationFailure("body", "is not a valid JSON document for this request");
    }

    static string? Quoted(string message)
    {
        var start = message.IndexOf('\'', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    static string Join(string path, string name) => path.Length == 0 || path.EndsWith(name, StringComparison.Ordinal) ? name : $"{path}.{name}";

    /// <summary>FluentValidation names properties in PascalCase; the API speaks camelCase.</summary>
    public static string FieldName(string name) => name.Length == 0 || char.IsLower(name[0]) ? name : JsonNamingPolicy.CamelCase.ConvertName(name);
}
