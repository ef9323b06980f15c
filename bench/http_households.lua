-- wrk script for bench/http.sh: GETs spread over many households, as a signed-in officer.
--
--   wrk -t2 -c64 -d10s --latency -s bench/http_households.lua http://127.0.0.1:PORT \
--       -- MODE IDS_FILE TOKEN_FILE SEED CHECK [DELAY_MS]
--
--   MODE        households: GET /api/v1/households/{family_id}, the family ID picked at random
--               (per request, seeded) from IDS_FILE (one 10-digit family ID a line);
--               healthz: GET /healthz, the server's ceiling, through the same client code
--   TOKEN_FILE  a file holding the session token, sent as "Authorization: Bearer <token>"
--   SEED        the random seed (thread i uses SEED * 1000 + i, so a run is repeatable)
--   CHECK       1: look at every response's status and count those that are not 2xx (wrk then
--               parses headers and bodies, which costs client time: used for the warm-up);
--               0: no response callback (the measured runs; wrk still counts status > 399)
--   DELAY_MS    optional, paced runs: each connection waits a random whole number of
--               milliseconds between DELAY_MS/2 and 3*DELAY_MS/2 before each request (wrk's
--               delay(); not counted in the latency), so the load is a sustained rate below
--               saturation, about connections / (DELAY_MS + latency) requests a second
--
-- done() prints one line for bench/http.sh to parse:
--   spode-bench requests=N duration_us=N rps=X p50_us=N p99_us=N status_errors=N
--       socket_errors=N checked=N non2xx=N first_non2xx=<status and start of body>

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

local function read_lines(path)
  local out = {}
  local f = assert(io.open(path, "r"), "cannot open " .. path)
  for line in f:lines() do
    line = line:gsub("%s+$", "")
    if line ~= "" then table.insert(out, line) end
  end
  f:close()
  return out
end

local requests = {}
checked, non2xx, first_non2xx = 0, 0, ""

function init(args)
  local mode, ids_file, token_file, seed, check = args[1], args[2], args[3], args[4], args[5]
  local delay_ms = tonumber(args[6] or "0")
  assert(mode == "households" or mode == "healthz", "MODE must be households or healthz")
  local token = assert(read_lines(token_file)[1], "no token in " .. token_file)
  local headers = { ["Authorization"] = "Bearer " .. token }
  math.randomseed(tonumber(seed) * 1000 + (thread_index or 0))
  if mode == "households" then
    -- Every request pre-built, so that request() costs one table lookup (wrk's advice).
    for _, id in ipairs(read_lines(ids_file)) do
      table.insert(requests, wrk.format("GET", "/api/v1/households/" .. id, headers))
    end
    assert(#requests > 0, "no family IDs in " .. ids_file)
  else
    requests[1] = wrk.format("GET", "/healthz", headers)
  end
  if check ~= "1" then response = nil end
  if delay_ms > 0 then
    local low, high = math.floor(delay_ms / 2), math.floor(delay_ms * 3 / 2)
    delay = function() return math.random(low, high) end
  end
end

function request()
  return requests[math.random(#requests)]
end

function response(status, headers, body)
  checked = checked + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_non2xx == "" then
      first_non2xx = tostring(status) .. " " .. string.sub(body or "", 1, 200):gsub("%s", " ")
    end
  end
end

function done(summary, latency, requests)
  local c, n, first = 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + (t:get("checked") or 0)
    n = n + (t:get("non2xx") or 0)
    local f = t:get("first_non2xx") or ""
    if first == "" then first = f end
  end
  local e = summary.errors
  io.write(string.format(
    "spode-bench requests=%d duration_us=%d rps=%.1f p50_us=%d p99_us=%d status_errors=%d " ..
    "socket_errors=%d checked=%d non2xx=%d first_non2xx=%s\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout, c, n, first))
end
