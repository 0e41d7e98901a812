-- wrk script for the HTTP benchmark (HttpBenchmarks.cs): POST /api/orders with two distinct random SKUs out of
-- SKU-000000..SKU-<n-1> and a unique Idempotency-Key per request; counts every response that is not 201.
--   wrk -t2 -c64 -d10s --latency --timeout 10s -s place-order.lua http://127.0.0.1:PORT -- API_KEY RUN_ID [SKUS] [noidem|probe]
-- "probe" sends GET /health/live instead (no work behind it: the HTTP stack's own ceiling) and counts every non-200.
-- done() prints one machine-readable line, "WRK-RESULT key=value ...", that the harness parses (latencies in µs).

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  apiKey, runId, skus, idempotency, probe = args[1], args[2] or "run", tonumber(args[3] or "1000"), args[4] ~= "noidem", args[4] == "probe"
  expected = probe and 200 or 201
  math.randomseed(os.time() * 1000 + id)
  counter, non201, first = 0, 0, ""
  base = { ["Content-Type"] = "application/json", ["X-Api-Key"] = apiKey }
end

local template = '{"channel":"web","customerId":"c-%d","shipTo":{"name":"Erika Mustermann","line1":"Hauptstrasse 1",'
  .. '"city":"Berlin","postalCode":"10115","country":"DE"},"currency":"EUR","serviceLevel":"standard","lines":['
  .. '{"lineNo":1,"sku":"SKU-%06d","quantity":1,"unitPrice":19.99},{"lineNo":2,"sku":"SKU-%06d","quantity":1,"unitPrice":5.5}]}'

function request()
  if probe then return wrk.format("GET", "/health/live") end
  counter = counter + 1
  local a = math.random(0, skus - 1)
  local b = math.random(0, skus - 2)
  if b >= a then b = b + 1 end
  local headers = { ["Content-Type"] = base["Content-Type"], ["X-Api-Key"] = base["X-Api-Key"] }
  if idempotency then headers["Idempotency-Key"] = runId .. "-" .. id .. "-" .. counter end
  return wrk.format("POST", "/api/orders", headers, string.format(template, math.random(0, 99999), a, b))
end

function response(status, headers, body)
  if status ~= expected then
    non201 = non201 + 1
    if first == "" then first = status .. " " .. string.sub(body or "", 1, 300):gsub("%s+", " ") end
  end
end

function done(summary, latency, requests)
  local bad, firstBad = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non201") or 0)
    local f = t:get("first")
    if firstBad == "" and f then firstBad = f end
  end
  local e = summary.errors
  io.write(string.format(
    "WRK-RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d non201=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    bad, e.connect, e.read, e.write, e.timeout))
  if firstBad ~= "" then io.write("WRK-FIRST-NON201 " .. firstBad .. "\n") end
end
