-- Sign up for an event, then cancel, and again: each request a real write through the form
-- (session cookie from -H, CSRF token in the body). Paths and body come from bench/run.py.
local signup = os.getenv("BENCH_SIGNUP")
local cancel = os.getenv("BENCH_CANCEL")
local body = os.getenv("BENCH_BODY")
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

request = function()
  n = n + 1
  return wrk.format("POST", (n % 2 == 1) and signup or cancel, nil, body)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.timeout, e.connect + e.read + e.write))
end
