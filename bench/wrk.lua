-- wrk script for the benchmarks (bench/load.py sets these variables):
--   BENCH_METHOD GET|POST, BENCH_PATH, BENCH_COOKIE, BENCH_BODY (form, "PHONE" is replaced),
--   BENCH_ACCEPT_ENCODING: sent as Accept-Encoding when set (GETs: "gzip", as phones do),
--   BENCH_PHONE_PREFIX: three digits; each POST gets its own phone, prefix .. thread .. count,
--   so no two checkouts of a run share a phone (the duplicate window and the per-phone limit
--   stay on and never trigger).
-- Counts the answers by status and prints one line: BENCH_JSON {...}.
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local prefix = os.getenv("BENCH_PHONE_PREFIX") or "055"
local encoding = os.getenv("BENCH_ACCEPT_ENCODING") or ""

local threads = {}
local created = 0
counter = 0
tid = 0

function setup(thread)
  thread:set("tid", created)
  created = created + 1
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  headers = {}
  if cookie ~= "" then headers["Cookie"] = cookie end
  if encoding ~= "" then headers["Accept-Encoding"] = encoding end
  if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
  fixed = wrk.format(method, path, headers, method == "POST" and body or nil)
end

function request()
  if method ~= "POST" then return fixed end
  counter = counter + 1
  local phone = string.format("%s%d%06d", prefix, tid, counter)
  return wrk.format(method, path, headers, (string.gsub(body, "PHONE", phone)))
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do
      merged[code] = (merged[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(merged) do
    table.insert(parts, string.format('"%d": %d', code, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}, "latency_us": {"mean": %.1f, "max": %d, ' ..
    '"p50": %d, "p90": %d, "p99": %d, "p999": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ", "), latency.mean, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency:percentile(99.9)))
end
