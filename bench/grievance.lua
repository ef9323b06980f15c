-- wrk script for bench/grievance.sh: grievances filed over HTTP, then read back by ticket.
--
--   wrk -t2 -c64 -d10s --latency -s bench/grievance.lua http://127.0.0.1:PORT \
--       -- MODE LIST_FILE TOKEN_FILE SEED CHECK OUT_PREFIX [DELAY_MS]
--
--   MODE        create: POST /api/v1/grievances as a grievance officer at the walk-in desk, for
--               a member picked at random (per request, seeded) from LIST_FILE (member IDs, one
--               a line); every body is distinct ("bench/grievance t<thread> #<n>"). Each 201's
--               ticket is appended to OUT_PREFIX-<thread>.txt, so the reads can use them.
--               read: GET /api/v1/grievances/{ticket}, the ticket at random (seeded) from
--               LIST_FILE (tickets, one a line).
--               healthz: GET /healthz, the server's ceiling, through the same client code.
--   TOKEN_FILE  a file holding the session token ("Authorization: Bearer <token>")
--   SEED        the random seed (thread i uses SEED * 1000 + i, so a run is repeatable)
--   DELAY_MS    create only, optional: each connection waits a random 0.5x to 1.5x DELAY_MS
--               before each request (wrk's delay(); not counted in the latency), so that the
--               server sees a sustained load below saturation: about connections / (DELAY_MS +
--               latency) requests a second. 0 or absent: as fast as answered (closed loop).
--   CHECK       1: look at every response's status and count those that are not 2xx;
--               0: no response callback (wrk still counts status > 399). create always looks
--               at its responses (it keeps the tickets).
--
-- done() prints one line for bench/grievance.sh to parse:
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

local mode, list, headers, requests, out = nil, {}, nil, {}, nil
local counter = 0
checked, non2xx, first_non2xx = 0, 0, ""

function init(args)
  local list_file, token_file, seed, check, prefix, delay_ms
  mode, list_file, token_file, seed, check, prefix, delay_ms =
    args[1], args[2], args[3], args[4], args[5], args[6], tonumber(args[7] or "0")
  assert(mode == "create" or mode == "read" or mode == "healthz",
         "MODE must be create, read or healthz")
  local token = assert(read_lines(token_file)[1], "no token in " .. token_file)
  headers = { ["Authorization"] = "Bearer " .. token }
  math.randomseed(tonumber(seed) * 1000 + (thread_index or 0))
  if mode == "create" then
    headers["Content-Type"] = "application/json"
    list = read_lines(list_file)
    assert(#list > 0, "no member IDs in " .. list_file)
    out = assert(io.open(prefix .. "-" .. tostring(thread_index or 0) .. ".txt", "a"))
    out:setvbuf("line")  -- wrk may exit without closing the threads' Lua states
  elseif mode == "read" then
    -- Every request pre-built, so that request() costs one table lookup (wrk's advice).
    for _, ticket in ipairs(read_lines(list_file)) do
      table.insert(requests, wrk.format("GET", "/api/v1/grievances/" .. ticket, headers))
    end
    assert(#requests > 0, "no tickets in " .. list_file)
  else
    requests[1] = wrk.format("GET", "/healthz", headers)
  end
  if check ~= "1" and mode ~= "create" then response = nil end
  if mode == "create" and delay_ms > 0 then
    local low, high = math.floor(delay_ms / 2), math.floor(delay_ms * 3 / 2)
    delay = function() return math.random(low, high) end
  end
end

function request()
  if mode == "create" then
    counter = counter + 1
    local body = string.format(
      '{"member_id":"%s","channel":"walk_in","category":"payment_not_received",' ..
      '"description":"bench/grievance t%d #%d: the pension for October has not come"}',
      list[math.random(#list)], thread_index or 0, counter)
    return wrk.format("POST", "/api/v1/grievances", headers, body)
  end
  return requests[math.random(#requests)]
end

function response(status, hdrs, body)
  checked = checked + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_non2xx == "" then
      first_non2xx = tostring(status) .. " " .. string.sub(body or "", 1, 200):gsub("%s", " ")
    end
    return
  end
  if out then
    local ticket = string.match(body or "", '"ticket":"([^"]+)"')
    if ticket then out:write(ticket, "\n") end
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
