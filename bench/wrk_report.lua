-- Prints one machine-readable line at the end of a wrk run (bench/run.py reads it):
-- BENCH requests duration_us p50_us p95_us p99_us non_2xx_3xx timeouts socket_errors
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status, e.timeout, e.connect + e.read + e.write))
end
