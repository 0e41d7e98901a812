# One image for the API and the projection worker (same build, another command):
#   docker build -t eventsourcedoms .
#   docker run -p 8080:8080 eventsourcedoms                                   # the API (SQLite in /app/data unless configured)
#   docker run eventsourcedoms dotnet EventSourcedOms.ProjectionWorker.dll --postgres "Host=…"
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props EventSourcedOms.sln ./
COPY src/ src/
COPY projections/ projections/
RUN dotnet publish src/EventSourcedOms.Api -c Release -o /app \
 && dotnet publish src/EventSourcedOms.ProjectionWorker -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# The image's unprivileged "app" user; /app/data is where a SQLite store would live.
RUN mkdir -p /app/data && chown "$APP_UID" /app/data
USER $APP_UID
# MALLOC_ARENA_MAX: glibc's malloc keeps up to eight arenas per core; two hold less native memory (docs/operations.md, "Memory").
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Oms__DataDirectory=/app/data \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
ENTRYPOINT []
CMD ["dotnet", "EventSourcedOms.Api.dll"]
