-- The cohort's requests for wrk (tests/bench/cohort.py writes the plan and reads the counts).
--
-- wrk runs this in each of its threads. A thread reads the plan (one line per request:
-- milliseconds after the start, method, path, session, CSRF token, body) and keeps the
-- lines that fall to it (method GET, POST, or HTMX for a post made by htmx); delay() holds a connection until its request is due, so requests
-- leave on the plan's clock whatever the server's pace, and request() sends it. wrk sends
-- each connection's first request before asking delay(): those are /healthz calls, counted
-- apart. A request that leaves late (no connection free) is counted with how late it was.
--
-- Arguments after `--`: the plan's file, the start (milliseconds since the epoch), the
-- number of wrk threads.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } timeval;
int gettimeofday(timeval *tv, void *tz);
]]
local clock = ffi.new("timeval")
local function now_ms()
  ffi.C.gettimeofday(clock, nil)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_usec) / 1000
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("number", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

-- Per thread. The counts are globals so that done() can read them (thread:get).
local plan, due, sent, responses = {}, {}, 1, 0
local start_ms = 0
planned, healthz, refused, late_over_50, late_over_250, late_max = 0, 0, 0, 0, 0, 0

function init(args)
  local index = 0
  for line in io.lines(args[1]) do
    if index % tonumber(args[3]) == number then
      local at, method, path, session, token, body = line:match(
        "^(%d+)\t(%u+)\t(%S+)\t(%S+)\t(%S+)\t?(.*)$"
      )
      local headers = {
        ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. token,
        ["X-CSRFToken"] = token,
      }
      -- HTMX: a form post made by htmx, as the answer step's autosave and submit are.
      if method == "HTMX" then
        headers["HX-Request"] = "true"
        method = "POST"
      end
      if method == "POST" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
      end
      table.insert(plan, { at = tonumber(at), text = wrk.format(method, path, headers, body) })
    end
    index = index + 1
  end
  start_ms = tonumber(args[2])
  planned = #plan
end

function delay()
  local step = plan[sent]
  if step == nil then
    return 3600 * 1000 -- nothing left for this connection: it waits for the end
  end
  sent = sent + 1
  table.insert(due, step)
  return math.max(0, start_ms + step.at - now_ms())
end

function request()
  local step = table.remove(due, 1)
  if step == nil then
    healthz = healthz + 1
    return wrk.format("GET", "/healthz")
  end
  local late = now_ms() - (start_ms + step.at)
  if late > 50 then late_over_50 = late_over_50 + 1 end
  if late > 250 then late_over_250 = late_over_250 + 1 end
  if late > late_max then late_max = late end
  return step.text
end

function response(status, headers, body)
  responses = responses + 1
  -- An autosave answers 200 with its status line alone: a refused draft says why instead
  -- of "Saved at". (The answer step's whole page has the line too, without "Saved at".)
  if status == 200 and #body < 2000 and body:find('id="save-status"', 1, true)
      and not body:find("Saved at", 1, true) then
    refused = refused + 1
  end
  if responses >= planned + healthz and sent > #plan and #due == 0 then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local totals = { late_over_50 = 0, late_over_250 = 0, late_max = 0, refused = 0, healthz = 0, planned = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do
      local value = tonumber(thread:get(name)) or 0
      if name == "late_max" then
        totals[name] = math.max(totals[name], value)
      else
        totals[name] = totals[name] + value
      end
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "COHORT requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d "
      .. "p50_us=%d p90_us=%d p99_us=%d max_us=%d planned=%d healthz=%d refused=%d "
      .. "late_over_50=%d late_over_250=%d late_max_ms=%d\n",
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, totals.planned, totals.healthz, totals.refused,
    totals.late_over_50, totals.late_over_250, totals.late_max
  ))
end
