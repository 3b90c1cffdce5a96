-- wrk script that rotates over a list of paths (one per line in the file given as first argument).
-- Thread k of n takes every n-th path. In "once" mode (second argument) each thread requests each of
-- its paths once and then stops, so every counted request is a first hit: the cold-cache measurement.
-- wrk divides by the whole -d duration even when threads stop early, so the rate is computed here from
-- the monotonic clock (LuaJIT FFI): responses counted / (last response - first request).
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

t0 = 0
t1 = 0
count = 0
local paths = {}
local share = 0
local idx = 0
local once = false

function init(args)
  local total = tonumber(args[3])
  once = args[2] == "once"
  local i = 0
  for line in io.lines(args[1]) do
    if line ~= "" then
      if (i % total) + 1 == tid then table.insert(paths, line) end
      i = i + 1
    end
  end
  share = #paths
end

function request()
  if t0 == 0 then t0 = now() end
  idx = idx + 1
  return wrk.format(nil, paths[((idx - 1) % share) + 1])
end

function response(status, headers, body)
  if once and count >= share then return end
  count = count + 1
  t1 = now()
  if once and count >= share then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local first, last, counted = nil, 0, 0
  for _, t in ipairs(threads) do
    local a, b, c = t:get("t0"), t:get("t1"), t:get("count")
    if a and a > 0 and (first == nil or a < first) then first = a end
    if b and b > last then last = b end
    counted = counted + (c or 0)
  end
  local window = 0
  if first then window = last - first end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"counted":%d,"window_s":%.6f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max, counted, window))
end
